/** The claims of our access tokens (RFC 7519 §4.1 plus `username`). */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly username: string;
  readonly jti: string;
  /** The session (refresh-token family) this token was issued in; revoking it revokes the token. */
  readonly sid: string;
  /** Whether the account's address was verified when the token was issued. */
  readonly email_verified: boolean;
  readonly iat: number;
  readonly exp: number;
  readonly iss: string;
  readonly aud: string;
  /** RFC 8176 authentication methods; absent from tokens issued before two-factor login. */
  readonly amr?: readonly string[];
}

/** Who is calling, as the JWT guard puts it on the request. */
export interface AuthenticatedUser {
  readonly id: string;
  readonly username: string;
  readonly tokenId: string;
  readonly sessionId: string;
  readonly expiresAt: number;
}
