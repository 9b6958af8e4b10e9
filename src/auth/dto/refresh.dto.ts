import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString } from 'class-validator';
import { OAuthClientFieldsDto } from './oauth-client-fields.dto.js';

/** JSON `{refresh_token}`, or the OAuth2 refresh grant form (RFC 6749 §6). */
export class RefreshDto extends OAuthClientFieldsDto {
  @ApiPropertyOptional({
    description: 'Required by the OAuth2 form (`refresh_token`); optional in JSON to /refresh.',
    enum: ['refresh_token'],
  })
  @IsOptional()
  @IsString()
  grant_type?: string;

  // No length limit of its own: any string that is not a live refresh token of ours is
  // 401 invalid_grant (RFC 6749 §5.2), so that a client knows to log in again.
  @ApiProperty({
    description:
      'The refresh token from /login or the last /refresh. A browser holding the refresh token cookie (`REFRESH_TOKEN_COOKIE=on`) leaves it out, at /refresh.',
  })
  @IsString({ message: 'refresh_token must be a string.' })
  @IsNotEmpty({ message: 'refresh_token must not be empty.' })
  refresh_token: string;
}
