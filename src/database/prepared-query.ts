import type { Compilable, CompiledQuery, QueryResult } from 'kysely';

/** A value a prepared query takes: what our repositories pass as query parameters. */
export type QueryValue = string | number | null;

const PLACEHOLDER = '\u0000prepared-query-parameter-';
const placeholder = (index: number) => `${PLACEHOLDER}${index}\u0000`;

/**
 * A Kysely query built and compiled once, then run with new values: for the queries on the hot
 * paths (a refresh runs four), building the query tree and compiling it to SQL on every call cost
 * more than running it on SQLite (CPU profile of `npm run bench`).
 *
 * `build` receives stand-ins for the values, in order, and must use each one as a value (a
 * parameter of the compiled query, not part of an identifier or a `like` pattern); the compiled
 * parameters that are stand-ins are replaced by the values on each run, the others are constants.
 * The SQL is compiled for `db`'s dialect the first time the query runs.
 */
export function preparedQuery<A extends readonly QueryValue[], O>(
  db: { executeQuery<R>(query: CompiledQuery<R>): Promise<QueryResult<R>> },
  arity: A['length'],
  build: (...values: A) => Compilable<O>,
): (...values: A) => Promise<QueryResult<O>> {
  let prepared: { query: CompiledQuery<O>; slots: (number | undefined)[] } | undefined;
  return async (...values) => {
    prepared ??= compile(arity, build);
    const { query, slots } = prepared;
    const parameters = query.parameters.map((constant, i) => {
      const slot = slots[i];
      return slot === undefined ? constant : values[slot];
    });
    return db.executeQuery({ ...query, parameters });
  };
}

function compile<A extends readonly QueryValue[], O>(
  arity: number,
  build: (...values: A) => Compilable<O>,
): { query: CompiledQuery<O>; slots: (number | undefined)[] } {
  const standIns = Array.from({ length: arity }, (_, i) => placeholder(i)) as unknown as A;
  const query = build(...standIns).compile();
  const used = new Set<number>();
  const slots = query.parameters.map((parameter) => {
    if (typeof parameter !== 'string' || !parameter.includes(PLACEHOLDER)) return undefined;
    const index = standIns.indexOf(parameter);
    // A stand-in folded into a larger value would be sent as text: a bug in `build`.
    if (index < 0) throw new Error(`A prepared query used a value inside another: ${query.sql}`);
    used.add(index);
    return index;
  });
  if (used.size !== arity || query.sql.includes(PLACEHOLDER)) {
    throw new Error(`A prepared query must use each of its ${arity} values as a parameter`);
  }
  return { query, slots };
}
