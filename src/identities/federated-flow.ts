/** Why a browser went to a provider: to sign in, or to link the provider to a signed-in account. */
export type FederatedPurpose = 'login' | 'link';

export const FEDERATED_PURPOSES: readonly FederatedPurpose[] = ['login', 'link'];

/**
 * Step 2 of a sign-in through a provider: what we sent the browser to the provider with, kept
 * until it comes back to our callback (any instance may take it). Named by the SHA-256 of the
 * random value in the flow's cookie; the value itself is never stored.
 */
export interface FederatedFlow {
  readonly idHash: string;
  /** Our id of the provider. */
  readonly provider: string;
  /** Our own state, nonce and PKCE verifier towards the provider. */
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** What the app asked for at /authorize (or POST /me/identities/<provider>). */
  readonly appRedirectUri: string;
  readonly appState: string | null;
  readonly appCodeChallenge: string;
  readonly purpose: FederatedPurpose;
  /** The account being linked to; null for a sign-in. */
  readonly userId: string | null;
  readonly expiresAt: Date;
}

/**
 * Step 3: our single-use code, handed to the app on its redirect URI, bound to its PKCE challenge
 * and that URI (RFC 7636, RFC 6749 §4.1.3). Kept by the SHA-256 of the code.
 */
export interface AuthorizationCode {
  readonly codeHash: string;
  /** The account signed in, or the one the identity is to be linked to. */
  readonly userId: string;
  readonly provider: string;
  readonly purpose: FederatedPurpose;
  readonly codeChallenge: string;
  readonly redirectUri: string;
  /** The identity signed in with; null while linking (nothing is linked before the code is redeemed). */
  readonly identityId: string | null;
  /** What the provider said: who (issuer, subject) and their address. */
  readonly issuer: string;
  readonly subject: string;
  readonly email: string;
  readonly emailVerified: boolean;
  /** RFC 8176 methods the tokens will carry, e.g. ["fed"]. */
  readonly amr: readonly string[];
  /** When the person signed in at the provider: the tokens' `auth_time`. */
  readonly authTime: Date;
  readonly expiresAt: Date;
}

/** What a code's first presentation produced: a session, or the second step of a login. */
export interface CodeResult {
  readonly kind: 'session' | 'mfa_challenge';
  /** The session id, or the MFA challenge's token hash. */
  readonly id: string;
}

export const CODE_RESULT_KINDS: readonly CodeResult['kind'][] = ['session', 'mfa_challenge'];

/**
 * A presentation of a code: the first gets the code; a later one is told so, with what the first
 * produced (null when it produced nothing, or has not recorded it yet), so the caller can end it
 * (RFC 6749 §4.1.2).
 */
export type CodeRedemption =
  | { readonly reused: false; readonly code: AuthorizationCode }
  | { readonly reused: true; readonly firstResult: CodeResult | null };
