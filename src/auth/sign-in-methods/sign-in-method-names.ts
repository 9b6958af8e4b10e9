import type { SignInMethod } from '../../audit/audit-event.js';

/** The password, as `GET /me` names it among the ways to sign in. */
export const PASSWORD_METHOD = 'password';

/** One or more passkeys, as `GET /me` names them; a passkey sign-in, in sessions and events. */
export const PASSKEY_METHOD = 'passkey';

/** An identity's provider, as `GET /me` names it: `oidc:<provider id>`. */
export const oidcMethod = (provider: string): string => `oidc:${provider}`;

/**
 * How a login or signup recorded in the audit log was made, in the words `GET /me` uses for the
 * ways to sign in: `password`, `passkey`, or `oidc:<provider id>` — `oidc` alone for provider logins recorded
 * before the provider was (migration 0015). Null for every other event, and for logins from before
 * the method was recorded at all (0014).
 */
export function eventSignInMethod(event: {
  readonly method: SignInMethod | null;
  readonly idp: string | null;
}): string | null {
  switch (event.method) {
    case 'pwd':
      return PASSWORD_METHOD;
    case 'fed':
      return event.idp === null ? 'oidc' : oidcMethod(event.idp);
    case 'passkey':
      return PASSKEY_METHOD;
    case null:
      return null;
  }
}

/**
 * How a session's sign-in was made, in the same words: a provider's when it went through one (its
 * `amr` holds `fed`), a passkey's when its `amr` holds `pop`, otherwise a password (every session
 * from before 0014 too). A second factor
 * does not change it: the method is the first factor's.
 */
export function sessionSignInMethod(session: {
  readonly amr: readonly string[];
  readonly idp: string | null;
}): string {
  if (session.amr.includes('fed')) {
    return session.idp === null ? 'oidc' : oidcMethod(session.idp);
  }
  // Only a passkey proves possession of a key (RFC 8176 `pop`): its amr is ["pop","user","mfa"].
  if (session.amr.includes('pop')) return PASSKEY_METHOD;
  return PASSWORD_METHOD;
}
