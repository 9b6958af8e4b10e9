import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * RFC 7662 §2.2. An inactive token (expired, revoked, spent, unknown or malformed) is exactly
 * `{"active": false}`: nothing says which of these it was.
 */
export class IntrospectionResponseDto {
  @ApiProperty({ example: true })
  active: boolean;

  @ApiPropertyOptional({ enum: ['access_token', 'refresh_token'] })
  token_type?: 'access_token' | 'refresh_token';

  @ApiPropertyOptional({ description: 'The user id.', format: 'uuid' })
  sub?: string;

  @ApiPropertyOptional({ example: 'john' })
  username?: string;

  @ApiPropertyOptional({ description: 'Expiry, seconds since the epoch.', example: 1767225600 })
  exp?: number;

  @ApiPropertyOptional({ description: 'Access tokens: issued at, seconds since the epoch.' })
  iat?: number;

  @ApiPropertyOptional({ description: 'Access tokens: the issuer.' })
  iss?: string;

  @ApiPropertyOptional({ description: 'Access tokens: the audience.' })
  aud?: string;

  @ApiPropertyOptional({ description: 'Access tokens: the token id.' })
  jti?: string;

  @ApiPropertyOptional({ description: 'The session the token belongs to.', format: 'uuid' })
  sid?: string;
}
