/**
 * Who the provider says signed in: the identity is `(iss, sub)`, never the address. Nothing else
 * of the token response is kept (no access or refresh token of the provider's).
 */
export interface OidcIdentityClaims {
  readonly iss: string;
  readonly sub: string;
  /** Absent when the provider gave none (the sign-in is then refused, `access_denied`). */
  readonly email?: string;
  /** Only a provider's literal `true` (or the string "true" some send) counts. */
  readonly email_verified: boolean;
  readonly preferred_username?: string;
}

type Claims = Readonly<Record<string, unknown>>;

/**
 * The identity from the ID token's claims, with `email`, `email_verified` and `preferred_username`
 * taken from UserInfo when the ID token lacks them (oidc-provider and others put the claims a
 * scope asks for only there). The ID token wins where both have a claim: it is the signed one.
 */
export function identityClaims(idToken: Claims, userInfo: Claims | undefined): OidcIdentityClaims {
  const pick = (name: string): unknown => idToken[name] ?? userInfo?.[name];
  const { iss, sub } = idToken;
  if (typeof iss !== 'string' || typeof sub !== 'string' || sub === '') {
    throw new Error('the ID token has no iss or sub');
  }
  const email = nonEmptyString(pick('email'));
  const username = nonEmptyString(pick('preferred_username'));
  const verified = pick('email_verified');
  return {
    iss,
    sub,
    ...(email === undefined ? {} : { email }),
    email_verified: email !== undefined && (verified === true || verified === 'true'),
    ...(username === undefined ? {} : { preferred_username: username }),
  };
}

/** Whether UserInfo can add anything the ID token lacks. */
export function needsUserInfo(idToken: Claims): boolean {
  return idToken.email === undefined || idToken.email_verified === undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}
