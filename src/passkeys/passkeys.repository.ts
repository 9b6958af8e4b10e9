import type { NewPasskey, Passkey, PasskeyUse } from './passkey.js';

/** The passkeys registered to accounts, and each account's WebAuthn user handle. */
export abstract class PasskeysRepository {
  abstract findByCredentialId(credentialId: string): Promise<Passkey | undefined>;

  /** The account's passkeys, oldest first. */
  abstract listForUser(userId: string): Promise<Passkey[]>;

  /**
   * Registers a passkey; the store's unique credential id decides between two concurrent
   * registrations of one credential: the loser gets PasskeyConflictError.
   */
  abstract add(passkey: NewPasskey): Promise<Passkey>;

  /** Renames one of the account's passkeys; undefined when it has none with that id. */
  abstract rename(userId: string, id: string, name: string): Promise<Passkey | undefined>;

  /** Removes one of the account's passkeys; false when it has none with that id. */
  abstract remove(userId: string, id: string): Promise<boolean>;

  /** Removes every passkey of the account (and its handle); answers those removed. */
  abstract removeAllForUser(userId: string): Promise<Passkey[]>;

  /** Records a sign-in: the new counter and backup state, and when. */
  abstract recordUse(id: string, use: PasskeyUse): Promise<void>;

  /**
   * The account's user handle: the one stored, or else `candidate`, stored now. Two concurrent
   * first registrations agree on one handle.
   */
  abstract ensureUserHandle(userId: string, candidate: string): Promise<string>;

  /** The account's user handle; undefined when it never registered a passkey. */
  abstract findUserHandle(userId: string): Promise<string | undefined>;
}
