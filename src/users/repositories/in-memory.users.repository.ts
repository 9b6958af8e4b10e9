import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { emailKey, usernameKey } from '../identity.normalization.js';
import type { NewUser, User } from '../user.js';
import { UserConflictError } from '../user-conflict.error.js';
import { UsersRepository } from '../users.repository.js';

/** Keeps users in this process only: for tests and throw-away runs. */
@Injectable()
export class InMemoryUsersRepository extends UsersRepository {
  private readonly byId = new Map<string, User>();
  private readonly idByUsername = new Map<string, string>();
  private readonly idByEmail = new Map<string, string>();

  create(newUser: NewUser): Promise<User> {
    const nameKey = usernameKey(newUser.username);
    const mailKey = emailKey(newUser.email);
    // Check and insert run in one synchronous step, so concurrent signups cannot both pass.
    if (this.idByUsername.has(nameKey)) return Promise.reject(new UserConflictError('username'));
    if (this.idByEmail.has(mailKey)) return Promise.reject(new UserConflictError('email'));
    const user: User = {
      ...newUser,
      id: randomUUID(),
      createdAt: new Date(),
      disabledAt: null,
      emailVerifiedAt: null,
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
    const user = this.byId.get(id);
    if (user) this.byId.set(id, { ...user, passwordHash });
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
}
