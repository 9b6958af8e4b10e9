import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Kysely, Selectable } from 'kysely';
import {
  toDate,
  toDateOrNull,
  type DatabaseSchema,
  type PasskeysTable,
} from '../../database/schema.js';
import { uniqueViolation } from '../../database/unique-violation.js';
import {
  byAge,
  knownTransports,
  PasskeyConflictError,
  toDeviceType,
  type NewPasskey,
  type Passkey,
  type PasskeyUse,
} from '../passkey.js';
import { PasskeysRepository } from '../passkeys.repository.js';

/**
 * Passkeys in SQLite or PostgreSQL. Built on the Database, or on a transaction
 * (`new SqlPasskeysRepository(trx)`) when a change must share one: removing an account's last way
 * to sign in locks the user row, counts, and removes in the same transaction.
 */
@Injectable()
export class SqlPasskeysRepository extends PasskeysRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {
    super();
  }

  async findByCredentialId(credentialId: string): Promise<Passkey | undefined> {
    const row = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    return row && toPasskey(row);
  }

  async listForUser(userId: string): Promise<Passkey[]> {
    const rows = await this.db
      .selectFrom('passkeys')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toPasskey);
  }

  async add(passkey: NewPasskey): Promise<Passkey> {
    const added: Passkey = { ...passkey, id: randomUUID(), lastUsedAt: null };
    try {
      await this.db
        .insertInto('passkeys')
        .values({
          id: added.id,
          user_id: added.userId,
          credential_id: added.credentialId,
          public_key: Buffer.from(added.publicKey),
          sign_count: added.signCount,
          transports: JSON.stringify(added.transports),
          backed_up: added.backedUp ? 1 : 0,
          device_type: added.deviceType,
          name: added.name,
          created_at: added.createdAt.toISOString(),
        })
        .execute();
    } catch (error) {
      if (uniqueViolation(error) !== undefined) throw new PasskeyConflictError();
      throw error;
    }
    return added;
  }

  async rename(userId: string, id: string, name: string): Promise<Passkey | undefined> {
    const row = await this.db
      .updateTable('passkeys')
      .set({ name })
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    return row && toPasskey(row);
  }

  async remove(userId: string, id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('passkeys')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  async removeAllForUser(userId: string): Promise<Passkey[]> {
    const rows = await this.db
      .deleteFrom('passkeys')
      .where('user_id', '=', userId)
      .returningAll()
      .execute();
    await this.db.deleteFrom('passkey_user_handles').where('user_id', '=', userId).execute();
    return rows.map(toPasskey).sort(byAge);
  }

  async recordUse(id: string, use: PasskeyUse): Promise<void> {
    await this.db
      .updateTable('passkeys')
      .set({
        sign_count: use.signCount,
        backed_up: use.backedUp ? 1 : 0,
        last_used_at: use.at.toISOString(),
      })
      .where('id', '=', id)
      .execute();
  }

  async ensureUserHandle(userId: string, candidate: string): Promise<string> {
    await this.db
      .insertInto('passkey_user_handles')
      .values({ user_id: userId, handle: candidate })
      .onConflict((conflict) => conflict.column('user_id').doNothing())
      .execute();
    const stored = await this.findUserHandle(userId);
    if (stored === undefined) throw new Error('No user handle after storing one');
    return stored;
  }

  async findUserHandle(userId: string): Promise<string | undefined> {
    const row = await this.db
      .selectFrom('passkey_user_handles')
      .select('handle')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row?.handle;
  }
}

function toPasskey(row: Selectable<PasskeysTable>): Passkey {
  return {
    id: row.id,
    userId: row.user_id,
    credentialId: row.credential_id,
    publicKey: new Uint8Array(row.public_key),
    signCount: Number(row.sign_count),
    transports: knownTransports(JSON.parse(row.transports) as unknown[]),
    backedUp: Number(row.backed_up) === 1,
    deviceType: toDeviceType(row.device_type),
    name: row.name,
    createdAt: toDate(row.created_at),
    lastUsedAt: toDateOrNull(row.last_used_at),
  };
}
