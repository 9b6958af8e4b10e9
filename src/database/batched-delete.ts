import { sql, type Kysely } from 'kysely';
import type { DatabaseSchema } from './schema.js';

/** Rows per purge statement: small enough that no statement holds its locks for long. */
export const PURGE_BATCH_SIZE = 1_000;

type Table = keyof DatabaseSchema;
type Column<T extends Table> = keyof DatabaseSchema[T] & string;

export interface BatchedDelete<T extends Table> {
  readonly table: T;
  /** A unique column: each statement deletes the rows whose key is among the batch selected. */
  readonly key: Column<T>;
  /** The time column, best indexed: each batch finds its rows through it. */
  readonly olderThan: Column<T>;
  readonly before: Date;
  readonly batchSize?: number;
}

/**
 * The one purge statement of the service, on SQLite and PostgreSQL alike: deletes the rows of
 * `table` whose `olderThan` column is before `before`, at most `batchSize` rows per statement
 * (neither database has DELETE … LIMIT, hence the key subquery), until a batch comes back short.
 * Each statement is its own transaction, so a backlog never holds a write lock for long and
 * requests interleave with the purge. Answers how many rows went.
 */
export async function deleteInBatches<T extends Table>(
  db: Kysely<DatabaseSchema>,
  { table, key, olderThan, before, batchSize = PURGE_BATCH_SIZE }: BatchedDelete<T>,
): Promise<number> {
  const cutoff = before.toISOString();
  let total = 0;
  for (;;) {
    const { numAffectedRows } = await sql`
      delete from ${sql.table(table)} where ${sql.ref(key)} in (
        select ${sql.ref(key)} from ${sql.table(table)}
        where ${sql.ref(olderThan)} < ${cutoff} limit ${batchSize}
      )
    `.execute(db);
    // A driver that did not say would end the loop after one batch: fail loudly instead.
    if (numAffectedRows === undefined) throw new Error(`No row count for a delete from ${table}`);
    const deleted = Number(numAffectedRows);
    total += deleted;
    if (deleted < batchSize) return total;
  }
}
