import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const { timestamp } = columnTypes(db);
  // Generated keys other than the signing keys (refresh-token derivation, device cookies), kept
  // with the data so every instance on one database uses the same ones. The primary key settles
  // concurrent first starts: one insert wins, every instance reads it back.
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (col) => col.primaryKey())
    .addColumn('material', 'text', (col) => col.notNull())
    .addColumn('created_at', timestamp, (col) => col.notNull())
    .execute();

  // The addresses each account logged in from (for 30 days): a client there is "known" to the
  // account, so the per-account cap on failed logins does not stop it. Looked up by the normalised
  // username tried, for known and unknown names alike, so the lookup tells nothing.
  await db.schema
    .createTable('known_login_addresses')
    .addColumn('username_key', 'text', (col) => col.notNull())
    .addColumn('ip', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('last_login_at', timestamp, (col) => col.notNull())
    .addPrimaryKeyConstraint('known_login_addresses_pkey', ['username_key', 'ip'])
    .execute();
  await db.schema
    .createIndex('known_login_addresses_user_id')
    .on('known_login_addresses')
    .column('user_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('known_login_addresses').execute();
  await db.schema.dropTable('server_secrets').execute();
}
