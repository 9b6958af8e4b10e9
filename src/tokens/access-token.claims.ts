/** The claims of our access tokens (RFC 7519 §4.1 plus `username` and `roles`). */
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
  /**
   * When the session's interactive sign-in happened (seconds, OpenID Connect Core §2): the same in
   * every token of the session, refreshes included. Absent for sessions older than the claim.
   */
  readonly auth_time?: number;
  /** The identity provider (our id in OIDC_PROVIDERS) the session signed in through, if any. */
  readonly idp?: string;
  /**
   * The holder's roles when the token was issued (RFC 9068 §2.2.3.1 names `roles`). Absent from
   * tokens issued before roles existed: those are read as `['user']`, not refused.
   */
  readonly roles?: readonly string[];
}

/** Who is calling, as the JWT guard puts it on the request. */
export interface AuthenticatedUser {
  readonly id: string;
  readonly username: string;
  readonly tokenId: string;
  readonly sessionId: string;
  readonly expiresAt: number;
  /** From the token, so checking them needs no database query; a role change ends the session. */
  readonly roles: readonly string[];
  /** How the session's login was proved (RFC 8176); `["pwd"]` for tokens without the claim. */
  readonly amr: readonly string[];
}
