import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * A session becomes one row however often it rotates: its current refresh token's hash and
 * generation move into the session row, and rotation stops inserting into `refresh_tokens`. That
 * table keeps the tokens issued before, so they still work: the first refresh with one moves its
 * session to the new format; the session purge deletes the rest as they expire. That reading
 * path is removed in the first release after 2027-06-01 (see RefreshTokensTable in schema.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { timestamp } = columnTypes(db);
  // One column per statement: SQLite adds one at a time.
  await db.schema
    .alterTable('sessions')
    .addColumn('generation', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('sessions').addColumn('token_hash', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('reuse_window_generation', 'integer').execute();
  await db.schema.alterTable('sessions').addColumn('reuse_window_started_at', timestamp).execute();
  // The purge finds ended sessions by revoked_at (indexed since 0002) or expires_at.
  await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();
  await db.schema
    .createIndex('refresh_tokens_expires_at')
    .on('refresh_tokens')
    .column('expires_at')
    .execute();
}

/** Sessions started or rotated since have no `refresh_tokens` row: their holders log in again. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('refresh_tokens_expires_at').execute();
  await db.schema.dropIndex('sessions_expires_at').execute();
  await db.schema.alterTable('sessions').dropColumn('reuse_window_started_at').execute();
  await db.schema.alterTable('sessions').dropColumn('reuse_window_generation').execute();
  await db.schema.alterTable('sessions').dropColumn('token_hash').execute();
  await db.schema.alterTable('sessions').dropColumn('generation').execute();
}
