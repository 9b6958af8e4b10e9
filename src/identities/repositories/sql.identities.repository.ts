import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Kysely, Selectable } from 'kysely';
import {
  toDate,
  toDateOrNull,
  type DatabaseSchema,
  type IdentitiesTable,
} from '../../database/schema.js';
import { uniqueViolation } from '../../database/unique-violation.js';
import { IdentitiesRepository } from '../identities.repository.js';
import { byAge, IdentityConflictError, type Identity, type NewIdentity } from '../identity.js';

/**
 * Identities in SQLite or PostgreSQL. Built on the Database, or on a transaction
 * (`new SqlIdentitiesRepository(trx)`) when a change must share one: removing an account's last
 * way to sign in locks the user row, counts, and unlinks in the same transaction.
 */
@Injectable()
export class SqlIdentitiesRepository extends IdentitiesRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {
    super();
  }

  async findByIssuerSubject(issuer: string, subject: string): Promise<Identity | undefined> {
    const row = await this.db
      .selectFrom('identities')
      .selectAll()
      .where('issuer', '=', issuer)
      .where('subject', '=', subject)
      .executeTakeFirst();
    return row && toIdentity(row);
  }

  async listForUser(userId: string): Promise<Identity[]> {
    const rows = await this.db
      .selectFrom('identities')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toIdentity);
  }

  async link(identity: NewIdentity): Promise<Identity> {
    const linked: Identity = { ...identity, id: randomUUID(), lastUsedAt: null };
    try {
      await this.db
        .insertInto('identities')
        .values({
          id: linked.id,
          user_id: linked.userId,
          provider: linked.provider,
          issuer: linked.issuer,
          subject: linked.subject,
          email: linked.email,
          created_at: linked.createdAt.toISOString(),
        })
        .execute();
    } catch (error) {
      if (uniqueViolation(error) !== undefined) throw new IdentityConflictError();
      throw error;
    }
    return linked;
  }

  async unlink(userId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('identities')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async unlinkAllForUser(userId: string): Promise<Identity[]> {
    const rows = await this.db
      .deleteFrom('identities')
      .where('user_id', '=', userId)
      .returningAll()
      .execute();
    return rows.map(toIdentity).sort(byAge);
  }

  async touchLastUsed(id: string, at: Date): Promise<void> {
    await this.db
      .updateTable('identities')
      .set({ last_used_at: at.toISOString() })
      .where('id', '=', id)
      .execute();
  }
}

function toIdentity(row: Selectable<IdentitiesTable>): Identity {
  return {
    id: row.id,
    userId: row.user_id,
    provider: row.provider,
    issuer: row.issuer,
    subject: row.subject,
    email: row.email,
    createdAt: toDate(row.created_at),
    lastUsedAt: toDateOrNull(row.last_used_at),
  };
}
