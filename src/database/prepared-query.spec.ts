import { describe, expect, it } from '@jest/globals';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { preparedQuery } from './prepared-query.js';

interface Schema {
  t: { id: string; n: number; note: string | null };
}

function database() {
  const db = new Kysely<Schema>({
    dialect: new SqliteDialect({ database: new SQLite(':memory:') }),
  });
  return db;
}

describe('a prepared query', () => {
  it('runs with new values each time, constants kept', async () => {
    const db = database();
    await db.schema
      .createTable('t')
      .addColumn('id', 'text')
      .addColumn('n', 'integer')
      .addColumn('note', 'text')
      .execute();
    const insert = preparedQuery(db, 3, (id: string, n: number, note: string | null) =>
      db.insertInto('t').values({ id, n, note }),
    );
    await insert('a', 1, 'first');
    await insert('b', 2, null);
    const select = preparedQuery(db, 1, (id: string) =>
      db.selectFrom('t').selectAll().where('id', '=', id).where('n', '<', 10),
    );
    expect((await select('a')).rows).toEqual([{ id: 'a', n: 1, note: 'first' }]);
    expect((await select('b')).rows).toEqual([{ id: 'b', n: 2, note: null }]);
    const update = preparedQuery(db, 2, (id: string, n: number) =>
      db.updateTable('t').set({ n }).where('id', '=', id),
    );
    expect((await update('a', 5)).numAffectedRows).toBe(1n);
    expect((await update('zzz', 5)).numAffectedRows).toBe(0n);
    await db.destroy();
  });

  it('refuses a build that does not use each value as a parameter', async () => {
    const db = database();
    const unused = preparedQuery(db, 2, (id: string, _other: string) =>
      db.selectFrom('t').selectAll().where('id', '=', id),
    );
    await expect(unused('a', 'b')).rejects.toThrow(/each of its 2 values/);
    const folded = preparedQuery(db, 1, (id: string) =>
      db.selectFrom('t').selectAll().where('id', 'like', `${id}%`),
    );
    await expect(folded('a')).rejects.toThrow(/inside another/);
    await db.destroy();
  });

  it('compiles for the database’s own dialect', () => {
    const pg = new Kysely<Schema>({
      // Never connects: only compiles.
      dialect: new PostgresDialect({ pool: {} as never }),
    });
    const compiled: string[] = [];
    const select = preparedQuery(
      {
        executeQuery: (query) => {
          compiled.push(query.sql);
          return Promise.resolve({ rows: [] });
        },
      },
      1,
      (id: string) => pg.selectFrom('t').select('n').where('id', '=', id),
    );
    void select('x');
    expect(compiled).toEqual(['select "n" from "t" where "id" = $1']);
  });
});
