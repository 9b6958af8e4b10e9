import { ApiProperty } from '@nestjs/swagger';

/** RFC 6749 §5.1 access token response, a superset of the tutorial's `{access_token, token_type}`. */
export class TokenResponseDto {
  @ApiProperty({ example: 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9…' })
  access_token: string;

  @ApiProperty({ enum: ['bearer'], example: 'bearer' })
  token_type: 'bearer';

  @ApiProperty({ description: 'Seconds until the access token expires.', example: 900 })
  expires_in: number;

  @ApiProperty({
    description:
      'Opaque, single use: exchange it at /refresh for a new pair. Presenting a spent one ends the session.',
    example: 'q3V8rN0p…',
  })
  refresh_token: string;
}

/**
 * When the answer's refresh token expires, for the refresh token cookie's Max-Age. A symbol key:
 * JSON never serialises it, so the response body stays RFC 6749 §5.1's.
 */
export const REFRESH_TOKEN_EXPIRES_AT = Symbol('refreshTokenExpiresAt');

/** A token response as the service builds it, before it is sent. */
export type IssuedTokens = TokenResponseDto & { readonly [REFRESH_TOKEN_EXPIRES_AT]?: Date };
