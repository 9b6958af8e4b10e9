import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { emailKey, usernameKey } from '../identity.normalization.js';
import { ADMIN_ROLE, normalizeRoles } from '../../config/roles.js';
import type { NewUser, User, UserChange, UserSearch } from '../user.js';
import { UserConflictError } from '../user-conflict.error.js';
import { UsersRepository } from '../users.repository.js';

/**
 * Keeps users in this process only: for tests and throw-away runs. Every method checks and changes
 * in one synchronous step, so concurrent calls cannot interleave. Sessions live in their own store
 * here and are not deleted with their user.
 */
@Injectable()
export class InMemoryUsersRepository extends UsersRepository {
  private readonly byId = new Map<string, User>();
  private readonly idByUsername = new Map<string, string>();
  private readonly idByEmail = new Map<string, string>();

  create(newUser: NewUser): Promise<User> {
    const nameKey = usernameKey(newUser.username);
    const mailKey = emailKey(newUser.email);
    if (this.idByUsername.has(nameKey)) return Promise.reject(new UserConflictError('username'));
    if (this.idByEmail.has(mailKey)) return Promise.reject(new UserConflictError('email'));
    const user: User = {
      id: randomUUID(),
      username: newUser.username,
      email: newUser.email,
      passwordHash: newUser.passwordHash,
      createdAt: new Date(),
      disabledAt: null,
      disabledReason: null,
      emailVerifiedAt: null,
      lastLoginAt: null,
      roles: normalizeRoles(newUser.roles ?? []),
    };
    this.byId.set(user.id, user);
    this.idByUsername.set(nameKey, user.id);
    this.idByEmail.set(mailKey, user.id);
    return Promise.resolve(user);
  }

  findById(id: string): Promise<User | undefined> {
    return Promise.resolve(this.byId.get(id));
  }

  findByUsername(username: string): Promise<User | undefined> {
    const id = this.idByUsername.get(usernameKey(username));
    return Promise.resolve(id === undefined ? undefined : this.byId.get(id));
  }

  updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    this.update(id, { passwordHash });
    return Promise.resolve();
  }

  findByEmail(email: string): Promise<User | undefined> {
    const id = this.idByEmail.get(emailKey(email));
    return Promise.resolve(id === undefined ? undefined : this.byId.get(id));
  }

  markEmailVerified(id: string, email: string, at: Date): Promise<boolean> {
    const user = this.byId.get(id);
    if (!user || emailKey(user.email) !== emailKey(email)) return Promise.resolve(false);
    this.byId.set(id, { ...user, emailVerifiedAt: at });
    return Promise.resolve(true);
  }

  changeEmail(id: string, email: string, verifiedAt: Date): Promise<void> {
    const user = this.byId.get(id);
    if (!user) return Promise.resolve();
    const key = emailKey(email);
    const owner = this.idByEmail.get(key);
    if (owner !== undefined && owner !== id) return Promise.reject(new UserConflictError('email'));
    this.idByEmail.delete(emailKey(user.email));
    this.idByEmail.set(key, id);
    this.byId.set(id, { ...user, email, emailVerifiedAt: verifiedAt });
    return Promise.resolve();
  }

  search(search: UserSearch, limit: number): Promise<User[]> {
    const prefix = search.prefix === undefined ? undefined : usernameKey(search.prefix);
    const found = [...this.byId.values()]
      .filter(
        (user) =>
          (prefix === undefined ||
            usernameKey(user.username).startsWith(prefix) ||
            emailKey(user.email).startsWith(prefix)) &&
          (search.role === undefined || user.roles.includes(search.role)) &&
          (search.disabled === undefined || (user.disabledAt !== null) === search.disabled) &&
          (search.after === undefined || usernameKey(user.username) > search.after),
      )
      .sort((a, b) => compareKeys(usernameKey(a.username), usernameKey(b.username)))
      .slice(0, limit);
    return Promise.resolve(found);
  }

  recordLogin(id: string, at: Date): Promise<User | undefined> {
    return Promise.resolve(this.update(id, { lastLoginAt: at }));
  }

  setRoles(id: string, roles: readonly string[]): Promise<UserChange> {
    const user = this.byId.get(id);
    if (!user) return Promise.resolve('not_found');
    const next = normalizeRoles(roles);
    if (!next.includes(ADMIN_ROLE) && this.isLastAdmin(user)) return Promise.resolve('last_admin');
    this.update(id, { roles: next });
    return Promise.resolve('done');
  }

  disable(id: string, at: Date, reason: string | null): Promise<UserChange> {
    const user = this.byId.get(id);
    if (!user) return Promise.resolve('not_found');
    if (this.isLastAdmin(user)) return Promise.resolve('last_admin');
    this.update(id, { disabledAt: at, disabledReason: reason });
    return Promise.resolve('done');
  }

  enable(id: string): Promise<'done' | 'not_found'> {
    const user = this.update(id, { disabledAt: null, disabledReason: null });
    return Promise.resolve(user ? 'done' : 'not_found');
  }

  delete(id: string): Promise<{ outcome: UserChange; revokedSessionIds: string[] }> {
    const user = this.byId.get(id);
    const outcome = !user ? 'not_found' : this.isLastAdmin(user) ? 'last_admin' : 'done';
    if (user && outcome === 'done') {
      this.byId.delete(id);
      this.idByUsername.delete(usernameKey(user.username));
      this.idByEmail.delete(emailKey(user.email));
    }
    // The in-memory sessions store keeps its rows: the caller ends them there.
    return Promise.resolve({ outcome, revokedSessionIds: [] });
  }

  /** True when `user` is the only enabled admin left. */
  private isLastAdmin(user: User): boolean {
    if (user.disabledAt || !user.roles.includes(ADMIN_ROLE)) return false;
    for (const other of this.byId.values()) {
      if (other.id !== user.id && !other.disabledAt && other.roles.includes(ADMIN_ROLE)) {
        return false;
      }
    }
    return true;
  }

  private update(id: string, change: Partial<User>): User | undefined {
    const user = this.byId.get(id);
    if (!user) return undefined;
    const updated = { ...user, ...change };
    this.byId.set(id, updated);
    return updated;
  }
}

/** Code-point order, as SQL compares these ASCII keys. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
