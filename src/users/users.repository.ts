import type { NewUser, User } from './user.js';

/**
 * The user store's contract, and its injection token. Implementations enforce uniqueness of the
 * username key and email key atomically and raise UserConflictError when either is taken.
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
}
