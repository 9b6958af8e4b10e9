import type { Identity } from '../../identities/identity.js';

/** What unlinking one identity came to. */
export type UnlinkOutcome =
  | { readonly outcome: 'unlinked'; readonly identity: Identity }
  /** The account has no identity with that id (or the account is gone). */
  | { readonly outcome: 'not_found' }
  /** It is the account's last way to sign in: nothing changed. */
  | { readonly outcome: 'last_method' };

/** The ways into an account that removing an identity weighs. */
export interface WaysIn {
  readonly hasPassword: boolean;
  readonly identities: readonly Identity[];
}

/**
 * The decision, the same for every store: an identity that is a way to sign in (its provider is
 * still configured) goes only if another way remains — the password or another such identity.
 * An identity of a provider no longer configured signs nobody in: it can always go.
 */
export function decideUnlink(
  ways: WaysIn,
  identityId: string,
  signsIn: (identity: Identity) => boolean,
): UnlinkOutcome {
  const identity = ways.identities.find((candidate) => candidate.id === identityId);
  if (!identity) return { outcome: 'not_found' };
  if (!signsIn(identity)) return { outcome: 'unlinked', identity };
  const others = ways.identities.filter((other) => other.id !== identityId && signsIn(other));
  if (!ways.hasPassword && others.length === 0) return { outcome: 'last_method' };
  return { outcome: 'unlinked', identity };
}

/**
 * Removes an account's identity unless it is the last way to sign in, as one step per account:
 * two concurrent removals of an account's last two ways cannot both win (the "one
 * transaction that locks the user row"). The injection token; memory or SQL is chosen in AuthModule.
 */
export abstract class SignInMethodsStore {
  abstract unlinkIdentity(
    userId: string,
    identityId: string,
    signsIn: (identity: Identity) => boolean,
  ): Promise<UnlinkOutcome>;
}
