import { sql, type Kysely, type RawBuilder } from 'kysely';
import { isPostgres } from './dialect.js';

/** A bigint column that places each write in an order its readers can follow (see below). */
export interface OrderColumn {
  readonly table: string;
  readonly column: string;
}

/**
 * Commit order, for readers that poll "what was written since I last read" and must miss nothing.
 * A timestamp from the writer's clock cannot do it: a write may commit long after its timestamp
 * was taken (a pool wait, a lock) or come from a clock that is behind. Nor can a plain sequence on
 * PostgreSQL: its value is taken before commit, so a transaction that commits later may carry a
 * smaller one than a reader has already seen.
 *
 * - PostgreSQL: a write stores its transaction id (`pg_current_xact_id()`, 64 bits, never wraps);
 *   a read's mark is the oldest transaction still running when its snapshot was taken
 *   (`pg_snapshot_xmin`). Whatever that read could not see was running then or began later, so its
 *   id is at least the mark: the next read asks for `>= mark`. It may read a few rows twice (those
 *   of transactions that had already committed above the mark), never fewer; a long transaction
 *   elsewhere holds the mark back and widens that overlap, nothing else.
 * - SQLite: one writer at a time, so a counter taken while writing (`max + 1` over the columns) is
 *   in commit order; a read's mark is that max + 1 as the read saw it.
 *
 * Either way: store `commitOrder(...)` in the column when writing; read with `column >= mark`, the
 * mark taken by `commitOrderMark(...)` in the same statement as the previous read.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function commitOrder(db: Kysely<any>, columns: readonly OrderColumn[]): RawBuilder<number> {
  if (isPostgres(db)) return sql<number>`pg_current_xact_id()::text::bigint`;
  return sql<number>`(${nextOnSqlite(columns)})`;
}

/** The mark a read takes for the next one: answered as a string (a bigint on PostgreSQL). */
export function commitOrderMark(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  columns: readonly OrderColumn[],
): RawBuilder<string> {
  if (isPostgres(db)) return sql<string>`pg_snapshot_xmin(pg_current_snapshot())::text`;
  return sql<string>`cast((${nextOnSqlite(columns)}) as text)`;
}

function nextOnSqlite(columns: readonly OrderColumn[]): RawBuilder<number> {
  const maxima = sql.join(
    columns.map(
      ({ table, column }) => sql`select max(${sql.ref(column)}) as v from ${sql.table(table)}`,
    ),
    sql` union all `,
  );
  return sql<number>`select coalesce(max(v), 0) + 1 from (${maxima})`;
}
