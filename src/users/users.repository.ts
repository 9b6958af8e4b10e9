import type { NewUser, User, UserChange, UserSearch } from './user.js';

/**
 * The user store's contract, and its injection token. Implementations enforce uniqueness of the
 * username key and email key atomically and raise UserConflictError when either is taken.
 *
 * The changes an admin makes answer `last_admin`, changing nothing, when they would leave no
 * enabled account with the `admin` role; that check and the change are one atomic step, so two
 * admins demoting each other at once cannot both succeed.
 */
export abstract class UsersRepository {
  abstract create(user: NewUser): Promise<User>;
  abstract findById(id: string): Promise<User | undefined>;
  /** Looks up by the case-insensitive username key (see usernameKey). */
  abstract findByUsername(username: string): Promise<User | undefined>;
  abstract updatePasswordHash(id: string, passwordHash: string): Promise<void>;
  /** Looks up by the case-insensitive email key (see emailKey). */
  abstract findByEmail(email: string): Promise<User | undefined>;
  /**
   * Marks the address verified, if it is still the account's address (a link mailed to an
   * address the account has since left verifies nothing); answers whether it did.
   */
  abstract markEmailVerified(id: string, email: string, at: Date): Promise<boolean>;
  /** Sets a verified address; rejects with UserConflictError('email') when another account has it. */
  abstract changeEmail(id: string, email: string, verifiedAt: Date): Promise<void>;

  /** Accounts matching the search, by username key, at most `limit`. */
  abstract search(search: UserSearch, limit: number): Promise<User[]>;

  /** Stamps a successful login; answers the account as it is now, or undefined if it is gone. */
  abstract recordLogin(id: string, at: Date): Promise<User | undefined>;

  /** Replaces the account's roles (`user` is implied). */
  abstract setRoles(id: string, roles: readonly string[]): Promise<UserChange>;

  abstract disable(id: string, at: Date, reason: string | null): Promise<UserChange>;

  abstract enable(id: string): Promise<Exclude<UserChange, 'last_admin'>>;

  /**
   * Deletes the account; its roles and sessions go with it. Its live sessions are revoked in the
   * same step, and the revocations of its sessions from `keepRevocationsSince` on are kept, so the
   * revocation list still refuses their access tokens; answers the sessions it revoked.
   */
  abstract delete(
    id: string,
    now: Date,
    keepRevocationsSince: Date,
  ): Promise<{ readonly outcome: UserChange; readonly revokedSessionIds: readonly string[] }>;
}
