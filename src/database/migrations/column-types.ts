import { PostgresAdapter, type Kysely } from 'kysely';

/** The few column types that differ between our two dialects; everything else is shared SQL. */
export function columnTypes(db: Kysely<unknown>): { timestamp: 'timestamptz' | 'text' } {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return { timestamp: postgres ? 'timestamptz' : 'text' };
}
