import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * Roles, what operators see of an account (why it is disabled, when it last logged in), who did
 * what in the audit trail, and the revocations that must outlive a deleted account's sessions.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { timestamp } = columnTypes(db);

  // Only roles beyond `user` are stored: `user` is everyone's.
  await db.schema
    .createTable('user_roles')
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (col) => col.notNull())
    .addPrimaryKeyConstraint('user_roles_pkey', ['user_id', 'role'])
    .execute();
  // Counting the enabled admins (the last-admin rule) and filtering by role read by role.
  await db.schema
    .createIndex('user_roles_role')
    .on('user_roles')
    .columns(['role', 'user_id'])
    .execute();

  await db.schema.alterTable('users').addColumn('disabled_reason', 'text').execute();
  await db.schema.alterTable('users').addColumn('last_login_at', timestamp).execute();

  // The admin who acted, when it is not the account's owner; no foreign key, like user_id.
  await db.schema.alterTable('audit_events').addColumn('actor_id', 'text').execute();

  // Deleting a user cascades to its sessions (0002), but the revocation list learns of revoked
  // sessions from those rows: their ids are kept here until no access token of theirs is valid.
  await db.schema
    .createTable('session_revocations')
    .addColumn('session_id', 'text', (col) => col.primaryKey())
    .addColumn('revoked_at', timestamp, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('session_revocations_revoked_at')
    .on('session_revocations')
    .column('revoked_at')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('session_revocations').execute();
  await db.schema.alterTable('audit_events').dropColumn('actor_id').execute();
  await db.schema.alterTable('users').dropColumn('last_login_at').execute();
  await db.schema.alterTable('users').dropColumn('disabled_reason').execute();
  await db.schema.dropTable('user_roles').execute();
}
