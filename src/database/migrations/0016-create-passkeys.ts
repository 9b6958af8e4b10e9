import { PostgresAdapter, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * Passkeys (issue 26): the credentials registered to accounts, each account's random WebAuthn user
 * handle, and the challenges between a ceremony's options and its answer (any instance takes them).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { timestamp } = columnTypes(db);
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  // A credential is its id (base64url, unique across accounts: one authenticator key, one owner).
  await db.schema
    .createTable('passkeys')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('credential_id', 'text', (col) => col.notNull().unique())
    // The COSE public key, as the authenticator gave it.
    .addColumn('public_key', postgres ? 'bytea' : 'blob', (col) => col.notNull())
    // An unsigned 32-bit counter: above PostgreSQL's integer.
    .addColumn('sign_count', 'bigint', (col) => col.notNull())
    // JSON array of the transports the browser reported, e.g. ["internal","hybrid"].
    .addColumn('transports', 'text', (col) => col.notNull())
    .addColumn('backed_up', 'integer', (col) => col.notNull())
    // "singleDevice" or "multiDevice".
    .addColumn('device_type', 'text', (col) => col.notNull())
    .addColumn('name', 'text', (col) => col.notNull())
    .addColumn('created_at', timestamp, (col) => col.notNull())
    .addColumn('last_used_at', timestamp)
    .execute();
  await db.schema.createIndex('passkeys_user_id').on('passkeys').column('user_id').execute();

  // The WebAuthn user handle (§5.4.3): random, never the username or the address, so a passkey
  // reveals nothing about whose it is. One per account, made at its first registration.
  await db.schema
    .createTable('passkey_user_handles')
    .addColumn('user_id', 'text', (col) =>
      col.primaryKey().references('users.id').onDelete('cascade'),
    )
    .addColumn('handle', 'text', (col) => col.notNull().unique())
    .execute();

  // A ceremony's challenge, single use: registration ones belong to an account, sign-in ones to
  // nobody yet. Taken by a delete, so of two instances only one gets it.
  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('challenge', 'text', (col) => col.notNull().unique())
    .addColumn('purpose', 'text', (col) => col.notNull())
    .addColumn('user_id', 'text', (col) => col.references('users.id').onDelete('cascade'))
    .addColumn('expires_at', timestamp, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('webauthn_challenges_expires_at')
    .on('webauthn_challenges')
    .column('expires_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webauthn_challenges').execute();
  await db.schema.dropTable('passkey_user_handles').execute();
  await db.schema.dropTable('passkeys').execute();
}
