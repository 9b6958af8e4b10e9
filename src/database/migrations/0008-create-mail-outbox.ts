import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * Verified addresses, single-use email links (password reset, verification, address change and
 * its revert) stored only as hashes, and the outbox a background sender delivers from.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { timestamp } = columnTypes(db);
  await db.schema.alterTable('users').addColumn('email_verified_at', timestamp).execute();

  await db.schema
    .createTable('email_links')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (col) => col.notNull())
    // Set by the sender when it mints the token, just before sending; null until then.
    .addColumn('token_hash', 'text')
    .addColumn('email', 'text')
    .addColumn('created_at', timestamp, (col) => col.notNull())
    .addColumn('expires_at', timestamp, (col) => col.notNull())
    .addColumn('used_at', timestamp)
    .addColumn('revoked_at', timestamp)
    .execute();
  await db.schema
    .createIndex('email_links_token_hash_unique')
    .on('email_links')
    .column('token_hash')
    .unique()
    .execute();
  await db.schema
    .createIndex('email_links_user_id_purpose')
    .on('email_links')
    .columns(['user_id', 'purpose'])
    .execute();

  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('kind', 'text', (col) => col.notNull())
    .addColumn('recipient', 'text', (col) => col.notNull())
    .addColumn('recipient_key', 'text', (col) => col.notNull())
    // Null for a password-reset request until the sender has looked the address up.
    .addColumn('user_id', 'text', (col) => col.references('users.id').onDelete('cascade'))
    .addColumn('link_id', 'text')
    .addColumn('message_id', 'text', (col) => col.notNull())
    .addColumn('attempts', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('next_attempt_at', timestamp, (col) => col.notNull())
    .addColumn('claimed_until', timestamp)
    .addColumn('claimed_by', 'text')
    .addColumn('sent_at', timestamp)
    .addColumn('failed_at', timestamp)
    .addColumn('failure', 'text')
    .addColumn('created_at', timestamp, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('mail_outbox_next_attempt_at')
    .on('mail_outbox')
    .column('next_attempt_at')
    .execute();
  await db.schema
    .createIndex('mail_outbox_recipient_key_created_at')
    .on('mail_outbox')
    .columns(['recipient_key', 'created_at'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('mail_outbox').execute();
  await db.schema.dropTable('email_links').execute();
  await db.schema.alterTable('users').dropColumn('email_verified_at').execute();
}
