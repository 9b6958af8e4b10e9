import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { sql, type QueryResult, type Selectable, type Transaction } from 'kysely';
import { commitOrder } from '../../database/commit-order.js';
import { Database } from '../../database/database.js';
import { isPostgres } from '../../database/dialect.js';
import { preparedQuery } from '../../database/prepared-query.js';
import {
  REVOCATION_ORDER,
  toDate,
  toDateOrNull,
  type DatabaseSchema,
  type UsersTable,
} from '../../database/schema.js';
import { uniqueViolation } from '../../database/unique-violation.js';
import { emailKey, usernameKey } from '../identity.normalization.js';
import { ADMIN_ROLE, normalizeRoles, USER_ROLE } from '../../config/roles.js';
import type { NewUser, User, UserChange, UserSearch } from '../user.js';
import { UserConflictError } from '../user-conflict.error.js';
import { UsersRepository } from '../users.repository.js';

type Executor = Database | Transaction<DatabaseSchema>;
type UserWithRoles = Selectable<UsersTable> & { stored_roles: string | null };

/** Users in SQLite or PostgreSQL; the unique indexes decide who wins a signup race. */
@Injectable()
export class SqlUsersRepository extends UsersRepository {
  private readonly postgres: boolean;

  /**
   * The lookups every login and refresh makes, compiled once (see preparedQuery): the user and
   * their stored roles in one statement (role names are `[a-z0-9-]`, so a space joins them).
   */
  private readonly hot: {
    readonly byId: (id: string) => Promise<QueryResult<UserWithRoles>>;
    readonly byUsernameKey: (key: string) => Promise<QueryResult<UserWithRoles>>;
    readonly byEmailKey: (key: string) => Promise<QueryResult<UserWithRoles>>;
  };

  constructor(private readonly db: Database) {
    super();
    this.postgres = isPostgres(db);
    const joined = this.postgres
      ? sql<string | null>`string_agg(role, ' ')`
      : sql<string | null>`group_concat(role, ' ')`;
    const userWhere = (column: 'id' | 'username_key' | 'email_key') => (value: string) =>
      db
        .selectFrom('users')
        .selectAll('users')
        .select((eb) =>
          eb
            .selectFrom('user_roles')
            .select(joined.as('roles'))
            .whereRef('user_roles.user_id', '=', 'users.id')
            .as('stored_roles'),
        )
        .where(`users.${column}`, '=', value);
    this.hot = {
      byId: preparedQuery(db, 1, userWhere('id')),
      byUsernameKey: preparedQuery(db, 1, userWhere('username_key')),
      byEmailKey: preparedQuery(db, 1, userWhere('email_key')),
    };
  }

  async create(newUser: NewUser): Promise<User> {
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
    try {
      await this.db.transaction().execute(async (trx) => {
        await trx
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
        await insertRoles(trx, user.id, user.roles);
      });
    } catch (error) {
      const constraint = uniqueViolation(error);
      if (constraint?.includes('username_key')) throw new UserConflictError('username');
      if (constraint?.includes('email_key')) throw new UserConflictError('email');
      throw error;
    }
    return user;
  }

  async findById(id: string): Promise<User | undefined> {
    return this.withRoles((await this.hot.byId(id)).rows[0]);
  }

  async findByUsername(username: string): Promise<User | undefined> {
    return this.withRoles((await this.hot.byUsernameKey(usernameKey(username))).rows[0]);
  }

  private withRoles(row: UserWithRoles | undefined): User | undefined {
    if (!row) return undefined;
    const { stored_roles, ...user } = row;
    return toUser(user, stored_roles ? stored_roles.split(' ') : []);
  }

  async updatePasswordHash(id: string, passwordHash: string): Promise<void> {
    await this.db
      .updateTable('users')
      .set({ password_hash: passwordHash })
      .where('id', '=', id)
      .execute();
  }

  async findByEmail(email: string): Promise<User | undefined> {
    // With its roles, like the other lookups: callers decide on them (no linking to an admin).
    return this.withRoles((await this.hot.byEmailKey(emailKey(email))).rows[0]);
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

  async search(search: UserSearch, limit: number): Promise<User[]> {
    // Code-point order on PostgreSQL too (whatever the database's collation), as on SQLite and in
    // memory: the page cursor compares keys the same way the pages are sorted.
    const key = this.postgres ? sql<string>`username_key collate "C"` : sql<string>`username_key`;
    let query = this.db.selectFrom('users').selectAll();
    if (search.prefix !== undefined) {
      const pattern = `${escapeLike(usernameKey(search.prefix))}%`;
      query = query.where(
        sql<boolean>`(username_key like ${pattern} escape '\\' or email_key like ${pattern} escape '\\')`,
      );
    }
    if (search.role !== undefined && search.role !== USER_ROLE) {
      const role = search.role;
      query = query.where((eb) =>
        eb.exists(
          eb
            .selectFrom('user_roles')
            .select('user_roles.user_id')
            .whereRef('user_roles.user_id', '=', 'users.id')
            .where('user_roles.role', '=', role),
        ),
      );
    }
    if (search.disabled !== undefined) {
      query = query.where('disabled_at', search.disabled ? 'is not' : 'is', null);
    }
    if (search.after !== undefined) query = query.where(key, '>', search.after);
    const rows = await query.orderBy(key).limit(limit).execute();
    const roles = await rolesOf(
      this.db,
      rows.map((row) => row.id),
    );
    return rows.map((row) => toUser(row, roles.get(row.id)));
  }

  async recordLogin(id: string, at: Date): Promise<User | undefined> {
    await this.db
      .updateTable('users')
      .set({ last_login_at: at.toISOString() })
      .where('id', '=', id)
      .execute();
    return this.findById(id);
  }

  setRoles(id: string, roles: readonly string[]): Promise<UserChange> {
    const next = normalizeRoles(roles);
    return this.db.transaction().execute(async (trx) => {
      if (!next.includes(ADMIN_ROLE) && (await this.isLastAdmin(trx, id))) return 'last_admin';
      if (!(await this.lock(trx, id, 'no key update'))) return 'not_found';
      await trx.deleteFrom('user_roles').where('user_id', '=', id).execute();
      await insertRoles(trx, id, next);
      return 'done';
    });
  }

  disable(id: string, at: Date, reason: string | null): Promise<UserChange> {
    return this.db.transaction().execute(async (trx) => {
      if (await this.isLastAdmin(trx, id)) return 'last_admin';
      const result = await trx
        .updateTable('users')
        .set({ disabled_at: at.toISOString(), disabled_reason: reason })
        .where('id', '=', id)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n ? 'done' : 'not_found';
    });
  }

  async enable(id: string): Promise<'done' | 'not_found'> {
    const result = await this.db
      .updateTable('users')
      .set({ disabled_at: null, disabled_reason: null })
      .where('id', '=', id)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n ? 'done' : 'not_found';
  }

  delete(
    id: string,
    now: Date,
    keepRevocationsSince: Date,
  ): Promise<{ outcome: UserChange; revokedSessionIds: string[] }> {
    return this.db.transaction().execute(async (trx) => {
      if (await this.isLastAdmin(trx, id)) return { outcome: 'last_admin', revokedSessionIds: [] };
      // Locked, a login cannot add a session between the copy below and the delete: it waits, then
      // fails on the foreign key. Without the lock its session would vanish unrevoked.
      if (!(await this.lock(trx, id, 'update'))) {
        return { outcome: 'not_found', revokedSessionIds: [] };
      }
      const revoked = await trx
        .updateTable('sessions')
        .set({
          revoked_at: now.toISOString(),
          revocation_order: commitOrder(trx, REVOCATION_ORDER),
        })
        .where('user_id', '=', id)
        .where('revoked_at', 'is', null)
        .returning('id')
        .execute();
      // The sessions go with the user (ON DELETE CASCADE), and with them what the revocation list
      // reads: keep the revocations whose access tokens may still be valid.
      const since = keepRevocationsSince.toISOString();
      const kept = await trx
        .selectFrom('sessions')
        .select(['id', 'revoked_at'])
        .where('user_id', '=', id)
        .where('revoked_at', '>=', since)
        .execute();
      if (kept.length > 0) {
        await trx
          .insertInto('session_revocations')
          .values(
            kept.map((row) => ({
              session_id: row.id,
              revoked_at: toDate(row.revoked_at ?? now).toISOString(),
              // Committed with the delete: a reader that saw the session row saw this already.
              revocation_order: commitOrder(trx, REVOCATION_ORDER),
            })),
          )
          .onConflict((oc) => oc.column('session_id').doNothing())
          .execute();
      }
      await trx.deleteFrom('session_revocations').where('revoked_at', '<', since).execute();
      await trx.deleteFrom('users').where('id', '=', id).execute();
      return { outcome: 'done', revokedSessionIds: revoked.map((row) => row.id) };
    });
  }

  /**
   * True when `id` is the only enabled admin. On PostgreSQL every admin's role row is locked
   * first, so concurrent changes that could each remove an admin take turns.
   */
  private async isLastAdmin(trx: Executor, id: string): Promise<boolean> {
    let adminsQuery = trx
      .selectFrom('user_roles')
      .select('user_id')
      .where('role', '=', ADMIN_ROLE)
      .orderBy('user_id');
    if (this.postgres) adminsQuery = adminsQuery.forUpdate();
    const admins = (await adminsQuery.execute()).map((row) => row.user_id);
    if (!admins.includes(id)) return false;
    const enabled = await trx
      .selectFrom('users')
      .select('id')
      .where('id', 'in', admins)
      .where('disabled_at', 'is', null)
      .execute();
    return enabled.length === 1 && enabled[0]?.id === id;
  }

  /** Locks the user's row on PostgreSQL; answers whether it exists. */
  private async lock(trx: Executor, id: string, mode: 'update' | 'no key update') {
    let query = trx.selectFrom('users').select('id').where('id', '=', id);
    if (this.postgres) query = mode === 'update' ? query.forUpdate() : query.forNoKeyUpdate();
    return (await query.executeTakeFirst()) !== undefined;
  }

  private async findOne(
    db: Executor,
    column: 'id' | 'username_key',
    value: string,
  ): Promise<User | undefined> {
    const row = await db
      .selectFrom('users')
      .selectAll()
      .where(column, '=', value)
      .executeTakeFirst();
    if (!row) return undefined;
    return toUser(row, (await rolesOf(db, [row.id])).get(row.id));
  }
}

async function insertRoles(trx: Executor, userId: string, roles: readonly string[]) {
  const stored = roles.filter((role) => role !== USER_ROLE);
  if (stored.length === 0) return;
  await trx
    .insertInto('user_roles')
    .values(stored.map((role) => ({ user_id: userId, role })))
    .execute();
}

/** The stored roles of each user given (`user` is added by toUser). */
async function rolesOf(db: Executor, ids: readonly string[]): Promise<Map<string, string[]>> {
  const roles = new Map<string, string[]>();
  if (ids.length === 0) return roles;
  const rows = await db
    .selectFrom('user_roles')
    .select(['user_id', 'role'])
    .where('user_id', 'in', ids)
    .execute();
  for (const { user_id, role } of rows) roles.set(user_id, [...(roles.get(user_id) ?? []), role]);
  return roles;
}

/** LIKE's wildcards taken literally (with `escape '\'`). */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, '\\$&');
}

function toUser(row: Selectable<UsersTable>, roles: readonly string[] = []): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    passwordHash: row.password_hash,
    createdAt: toDate(row.created_at),
    disabledAt: toDateOrNull(row.disabled_at),
    emailVerifiedAt: toDateOrNull(row.email_verified_at),
    disabledReason: row.disabled_reason,
    lastLoginAt: toDateOrNull(row.last_login_at),
    roles: normalizeRoles(roles),
  };
}
