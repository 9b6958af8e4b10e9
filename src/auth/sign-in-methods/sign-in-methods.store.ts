import type { Identity } from '../../identities/identity.js';
import type { Passkey } from '../../passkeys/passkey.js';

/** What unlinking one identity came to. */
export type UnlinkOutcome =
  | { readonly outcome: 'unlinked'; readonly identity: Identity }
  /** The account has no identity with that id (or the account is gone). */
  | { readonly outcome: 'not_found' }
  /** It is the account's last way to sign in: nothing changed. */
  | { readonly outcome: 'last_method' };

/** What removing one passkey came to. */
export type RemovePasskeyOutcome =
  | { readonly outcome: 'removed'; readonly passkey: Passkey }
  | { readonly outcome: 'not_found' }
  | { readonly outcome: 'last_method' };

/** The ways into an account that removing one of them weighs. */
export interface WaysIn {
  readonly hasPassword: boolean;
  readonly identities: readonly Identity[];
  readonly passkeys: readonly Passkey[];
}

/**
 * Which of an account's credentials sign in today: an identity while its provider is configured,
 * passkeys while WEBAUTHN_RP_ID is set. Others sign nobody in, and can always go.
 */
export interface SignsIn {
  readonly identity: (identity: Identity) => boolean;
  readonly passkeys: boolean;
}

/** How many ways in remain besides the password, leaving out one identity or passkey. */
function othersThan(ways: WaysIn, signsIn: SignsIn, leaving: string): number {
  const identities = ways.identities.filter(
    (identity) => identity.id !== leaving && signsIn.identity(identity),
  ).length;
  const passkeys = signsIn.passkeys
    ? ways.passkeys.filter((passkey) => passkey.id !== leaving).length
    : 0;
  return identities + passkeys;
}

/**
 * The decision, the same for every store: an identity that is a way to sign in (its provider is
 * still configured) goes only if another way remains — the password, another such identity or a
 * passkey. An identity of a provider no longer configured signs nobody in: it can always go.
 */
export function decideUnlink(ways: WaysIn, identityId: string, signsIn: SignsIn): UnlinkOutcome {
  const identity = ways.identities.find((candidate) => candidate.id === identityId);
  if (!identity) return { outcome: 'not_found' };
  if (!signsIn.identity(identity)) return { outcome: 'unlinked', identity };
  if (!ways.hasPassword && othersThan(ways, signsIn, identityId) === 0) {
    return { outcome: 'last_method' };
  }
  return { outcome: 'unlinked', identity };
}

/** The same for a passkey: it goes only if the password, an identity or another passkey remains. */
export function decideRemovePasskey(
  ways: WaysIn,
  passkeyId: string,
  signsIn: SignsIn,
): RemovePasskeyOutcome {
  const passkey = ways.passkeys.find((candidate) => candidate.id === passkeyId);
  if (!passkey) return { outcome: 'not_found' };
  if (!signsIn.passkeys) return { outcome: 'removed', passkey };
  if (!ways.hasPassword && othersThan(ways, signsIn, passkeyId) === 0) {
    return { outcome: 'last_method' };
  }
  return { outcome: 'removed', passkey };
}

/**
 * Removes an account's identity or passkey unless it is the last way to sign in, as one step per
 * account: two concurrent removals of an account's last two ways cannot both win (the "one
 * transaction that locks the user row"). The injection token; memory or SQL is chosen in AuthModule.
 */
export abstract class SignInMethodsStore {
  abstract unlinkIdentity(
    userId: string,
    identityId: string,
    signsIn: SignsIn,
  ): Promise<UnlinkOutcome>;

  abstract removePasskey(
    userId: string,
    passkeyId: string,
    signsIn: SignsIn,
  ): Promise<RemovePasskeyOutcome>;
}
