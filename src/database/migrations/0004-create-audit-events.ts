import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/** The audit trail. No foreign key on user_id: the history outlives an account's deletion. */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { timestamp } = columnTypes(db);
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('type', 'text', (col) => col.notNull())
    .addColumn('at', timestamp, (col) => col.notNull())
    .addColumn('user_id', 'text')
    .addColumn('username', 'text')
    .addColumn('ip', 'text')
    .addColumn('user_agent', 'text')
    .addColumn('request_id', 'text')
    .addColumn('session_id', 'text')
    .addColumn('reason', 'text')
    .execute();
  await db.schema
    .createIndex('audit_events_user_id_at')
    .on('audit_events')
    .columns(['user_id', 'at', 'id'])
    .execute();
  await db.schema.createIndex('audit_events_at').on('audit_events').column('at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
}
