import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { OAuthClientFieldsDto } from '../../dto/oauth-client-fields.dto.js';

/**
 * A token presented to /revoke (RFC 7009 §2.1) or /introspect (RFC 7662 §2.1). Any string is
 * taken, whatever its length or alphabet (up to the body limit): one that is not a live token of
 * ours is an inactive token, never a validation error.
 */
export class TokenRequestDto extends OAuthClientFieldsDto {
  @ApiProperty({ description: 'An access token or a refresh token.', example: 'q3V8rN0p…' })
  @IsString({ message: 'token must be a string.' })
  @IsNotEmpty({ message: 'token must not be empty.' })
  token: string;

  @ApiPropertyOptional({
    description:
      'Which kind the token is, to look there first. A wrong or unknown hint still finds the token.',
    enum: ['access_token', 'refresh_token'],
  })
  @IsOptional()
  @IsString({ message: 'token_type_hint must be a string.' })
  token_type_hint?: string;
}
