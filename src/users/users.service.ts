import { Injectable } from '@nestjs/common';
import type { NewUser, User } from './user.js';
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
}
