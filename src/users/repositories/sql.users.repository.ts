import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import { Database } from '../../database/database.js';
import { toDate, toDateOrNull, type UsersTable } from '../../database/schema.js';
import { uniqueViolation } from '../../database/unique-violation.js';
import { emailKey, usernameKey } from '../identity.normalization.js';
import type { NewUser, User } from '../user.js';
import { UserConflictError } from '../user-conflict.error.js';
import { UsersRepository } from '../users.repository.js';

/** Users in SQLite or PostgreSQL; the unique indexes decide who wins a signup race. */
@Injectable()
export class SqlUsersRepository extends UsersRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async create(newUser: NewUser): Promise<User> {
    const user: User = {
      ...newUser,
      id: randomUUID(),
      createdAt: new Date(),
      disabledAt: null,
      emailVerifiedAt: null,
    };
    try {
      await this.db
        .insertInto('users')
        .values({
          id: user.id,
          username: user.username,
          username_key: usernameKey(user.username),
          email: user.email,
          email_key: emailKey(user.email),
          password_hash: user.passwordHash,
          created_at: user.createdAt.toISOString(),
        })
        .execute();
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint?.includes('username_key')) throw new UserConflictError('username');
      if (constraint?.includes('email_key')) throw new UserConflictError('email');
      throw error;
    }
    return user;
  }

  async findById(id: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toUser(row);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('username_key', '=', usernameKey(username))
      .executeTakeFirst();
    return row && toUser(row);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', id)
      .execute();
  }

  async findByEmail(email: string): Promise<User | undefined> {
    const row = await this.db
      .selectFrom('users')
      .selectAll()
      .where('email_key', '=', emailKey(email))
      .executeTakeFirst();
    return row && toUser(row);
  }

  async markEmailVerified(id: string, email: string, at: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('users')
      .set({ email_verified_at: at.toISOString() })
      .where('id', '=', id)
      .where('email_key', '=', emailKey(email))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async changeEmail(id: string, email: string, verifiedAt: Date): Promise<void> {
    try {
      await this.db
        .updateTable('users')
        .set({
          email,
          email_key: emailKey(email),
          email_verified_at: verifiedAt.toISOString(),
        })
        .where('id', '=', id)
        .execute();
    } catch (error) {
      if (uniqueViolation(error)?.includes('email_key')) throw new UserConflictError('email');
      throw error;
    }
  }
}

function toUser(row: Selectable<UsersTable>): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    createdAt: toDate(row.created_at),
    disabledAt: toDateOrNull(row.disabled_at),
    emailVerifiedAt: toDateOrNull(row.email_verified_at),
  };
}
