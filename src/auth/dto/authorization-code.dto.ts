import { ApiProperty } from '@nestjs/swagger';
import { Equals, IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { OAuthClientFieldsDto } from './oauth-client-fields.dto.js';

/**
 * The authorization code grant (RFC 6749 §4.1.3) with PKCE (RFC 7636 §4.5): the code our
 * callback sent to the app's redirect URI, exchanged at /login (form or JSON).
 */
export class AuthorizationCodeDto extends OAuthClientFieldsDto {
  @ApiProperty({ enum: ['authorization_code'] })
  @Equals('authorization_code')
  grant_type: 'authorization_code';

  @ApiProperty({
    description: 'The `code` the app received on its redirect URI (single use, 60 s).',
  })
  @IsString({ message: 'code must be a string.' })
  @IsNotEmpty({ message: 'code must not be empty.' })
  @MaxLength(256, { message: 'code must be at most 256 characters long.' })
  code: string;

  @ApiProperty({
    description: 'The PKCE verifier whose S256 challenge went to /authorize (RFC 7636).',
    minLength: 43,
    maxLength: 128,
  })
  @IsString({ message: 'code_verifier must be a string.' })
  @IsNotEmpty({ message: 'code_verifier must not be empty.' })
  @MaxLength(256, { message: 'code_verifier must be at most 256 characters long.' })
  code_verifier: string;

  @ApiProperty({ description: 'The same `redirect_uri` as sent to /authorize.' })
  @IsString({ message: 'redirect_uri must be a string.' })
  @IsNotEmpty({ message: 'redirect_uri must not be empty.' })
  @MaxLength(2048, { message: 'redirect_uri must be at most 2048 characters long.' })
  redirect_uri: string;
}
