import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { OAuthClientFieldsDto } from './oauth-client-fields.dto.js';

/** JSON `{refresh_token}`, or the OAuth2 refresh grant form (RFC 6749 §6). */
export class RefreshDto extends OAuthClientFieldsDto {
  @ApiPropertyOptional({
    description: 'Required by the OAuth2 form (`refresh_token`); optional in JSON.',
    enum: ['refresh_token'],
  })
  @IsOptional()
  @IsString()
  grant_type?: string;

  @ApiProperty({
    description: 'The refresh token from /login or the last /refresh.',
    maxLength: 256,
  })
  @IsString({ message: 'refresh_token must be a string.' })
  @IsNotEmpty({ message: 'refresh_token must not be empty.' })
  @MaxLength(256, { message: 'refresh_token must be at most 256 characters long.' })
  refresh_token: string;
}
