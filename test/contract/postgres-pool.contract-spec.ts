import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import pg from 'pg';
import { Database } from '../../src/database/database.js';
import { createPostgresDialect } from '../../src/database/postgres.dialect.js';
import { createFreshDatabase, testPostgresUrl, type FreshDatabase } from '../support/postgres.js';
import { TcpProxy } from '../support/tcp-proxy.js';

const postgresUrl = await testPostgresUrl();

/**
 * The pool behind every PostgreSQL query (issue 13, defect 3): a connection lost or gone silent
 * while it is checked out fails what runs on it, and the next query gets a fresh connection.
 */
(postgresUrl ? describe : describe.skip)('the PostgreSQL pool', () => {
  let database: FreshDatabase;
  let proxy: TcpProxy;
  let db: Database;
  const uncaught: unknown[] = [];
  const recordUncaught = (error: unknown) => uncaught.push(error);

  const open = (holdLimitMs?: number): Database => {
    const url = new URL(database.url);
    url.port = String(proxy.port);
    return new Database({ dialect: createPostgresDialect(url.toString(), { holdLimitMs }) });
  };
  const answers = async (on: Database) =>
    (await sql<{ one: number }>`select 1 as one`.execute(on)).rows;

  beforeEach(async () => {
    database = await createFreshDatabase(postgresUrl!);
    const target = new URL(database.url);
    proxy = await new TcpProxy(target.hostname, Number(target.port || 5432)).start();
    uncaught.length = 0;
    process.on('uncaughtException', recordUncaught);
  });

  afterEach(async () => {
    process.off('uncaughtException', recordUncaught);
    await db?.destroy();
    await proxy.stop();
    await database.drop();
  });

  it('fails the open transaction when its connection drops, without an uncaught error, and recovers', async () => {
    db = open();
    const transaction = db.transaction().execute(async (trx) => {
      await sql`select 1`.execute(trx);
      await proxy.stop();
      // Let the socket's end reach the client, as it does while a statement waits on a lock.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await sql`select 1`.execute(trx);
    });
    await expect(transaction).rejects.toThrow(/Connection terminated|not queryable/);
    expect(uncaught).toEqual([]);

    await proxy.start();
    expect(await answers(db)).toEqual([{ one: 1 }]);
  });

  it('cuts a connection held past the hold limit, so a silent database fails the query instead of hanging', async () => {
    db = open(300);
    const blocker = new pg.Client({ connectionString: database.url });
    await blocker.connect();
    await blocker.query('create table t (id int)');
    // A statement that gets no answer, as from a host that went silent.
    await blocker.query('begin');
    await blocker.query('lock table t in access exclusive mode');
    let outcome: unknown;
    try {
      outcome = await Promise.race([
        sql`select * from t`.execute(db).then(
          () => 'answered',
          (error: unknown) => error,
        ),
        new Promise((resolve) => setTimeout(() => resolve('still waiting after 2 s'), 2_000)),
      ]);
    } finally {
      await blocker.query('rollback');
      await blocker.end();
    }
    expect(outcome).toEqual(expect.objectContaining({ message: 'Connection terminated' }));
    expect(await answers(db)).toEqual([{ one: 1 }]);
    expect(uncaught).toEqual([]);
  });
});
