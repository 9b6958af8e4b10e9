import { Injectable } from '@nestjs/common';
import type { NewUser, User, UserChange, UserSearch } from './user.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  /** Creates the account; rejects with UserConflictError when the username or email is taken. */
  create(user: NewUser): Promise<User> {
    return this.users.create(user);
  }

  findById(id: string): Promise<User | undefined> {
    return this.users.findById(id);
  }

  findByUsername(username: string): Promise<User | undefined> {
    return this.users.findByUsername(username);
  }

  updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    return this.users.updatePasswordHash(id, passwordHash);
  }

  findByEmail(email: string): Promise<User | undefined> {
    return this.users.findByEmail(email);
  }

  markEmailVerified(id: string, email: string, at: Date): Promise<boolean> {
    return this.users.markEmailVerified(id, email, at);
  }

  changeEmail(id: string, email: string, verifiedAt: Date): Promise<void> {
    return this.users.changeEmail(id, email, verifiedAt);
  }

  search(search: UserSearch, limit: number): Promise<User[]> {
    return this.users.search(search, limit);
  }

  /** Stamps a successful login; answers the account as it is now (undefined once deleted). */
  recordLogin(id: string, at: Date): Promise<User | undefined> {
    return this.users.recordLogin(id, at);
  }

  /** The building blocks of UserAdminService, which also ends sessions and records the change. */
  setRoles(id: string, roles: readonly string[]): Promise<UserChange> {
    return this.users.setRoles(id, roles);
  }

  disable(id: string, at: Date, reason: string | null): Promise<UserChange> {
    return this.users.disable(id, at, reason);
  }

  enable(id: string): Promise<Exclude<UserChange, 'last_admin'>> {
    return this.users.enable(id);
  }

  delete(id: string, now: Date, keepRevocationsSince: Date) {
    return this.users.delete(id, now, keepRevocationsSince);
  }
}
