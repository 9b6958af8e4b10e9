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
}
