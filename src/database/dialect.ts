import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * True on PostgreSQL. Row locks (`FOR UPDATE`) exist only there: SQLite has one writer at a time,
 * and this service's one connection to it runs a transaction alone.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function isPostgres(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}
