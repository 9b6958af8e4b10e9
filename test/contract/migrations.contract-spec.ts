import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { sql, type Migration } from 'kysely';
import type { SqlDatabaseConfig } from '../../src/database/database.factory.js';
import { openDatabase } from '../../src/database/database.factory.js';
import type { Database } from '../../src/database/database.js';
import { MIGRATIONS } from '../../src/database/migrations/migration-list.js';
import { MigrationFailedError, runMigrations } from '../../src/database/migrator.js';
import { createFreshDatabase, testPostgresUrl } from '../support/postgres.js';

const postgresUrl = await testPostgresUrl();

const dialects: [
  string,
  (() => Promise<{ config: SqlDatabaseConfig; cleanup(): Promise<void> }>) | undefined,
][] = [
  [
    'SQLite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'auth-migrations-'));
      return {
        config: { kind: 'sqlite', file: join(dir, 'auth.sqlite') },
        cleanup: () => rm(dir, { recursive: true, force: true }),
      };
    },
  ],
  [
    'PostgreSQL',
    postgresUrl === undefined
      ? undefined
      : async () => {
          const fresh = await createFreshDatabase(postgresUrl);
          return { config: { kind: 'postgres', url: fresh.url }, cleanup: () => fresh.drop() };
        },
  ],
];

const tableExists = async (db: Database, table: string): Promise<boolean> => {
  const tables = await db.introspection.getTables();
  return tables.some((t) => t.name === table);
};

describe.each(dialects)('migrations on %s', (_name, prepare) => {
  if (!prepare) {
    it.skip('skipped: PostgreSQL is not reachable (set TEST_DATABASE_URL)', () => {});
    return;
  }
  const open: Database[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((db) => db.destroy()));
    await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
  });
  const freshDatabase = async (): Promise<Database> => {
    const prepared = await prepare();
    const { config } = prepared;
    cleanups.push(() => prepared.cleanup());
    const db = await openDatabase(config);
    open.push(db);
    return db;
  };

  it('applies every migration on a fresh database, and nothing on the next start', async () => {
    const db = await freshDatabase();
    expect(await runMigrations(db)).toEqual(Object.keys(MIGRATIONS));
    expect(await tableExists(db, 'users')).toBe(true);
    expect(await runMigrations(db)).toEqual([]);
  });

  it('stops with a clear message on a failed migration and leaves the data as it was', async () => {
    const db = await freshDatabase();
    await runMigrations(db);
    await db
      .insertInto('users')
      .values({
        id: 'u1',
        username: 'john',
        username_key: 'john',
        email: 'john@example.com',
        email_key: 'john@example.com',
        password_hash: 'h',
        created_at: new Date().toISOString(),
      })
      .execute();

    const good: Migration = {
      up: async (trx) => {
        await trx.schema.createTable('half_done').addColumn('id', 'text').execute();
        await sql`delete from users`.execute(trx);
      },
    };
    const broken: Migration = {
      up: async (trx) => {
        await trx.schema.alterTable('users').addColumn('extra', 'text').execute();
        throw new Error('boom');
      },
    };
    const attempt = runMigrations(db, { ...MIGRATIONS, '9998-good': good, '9999-broken': broken });
    await expect(attempt).rejects.toBeInstanceOf(MigrationFailedError);
    await expect(attempt).rejects.toThrow(
      /^Database migration 9999-broken failed: boom\. No migration was applied/,
    );

    expect(await tableExists(db, 'half_done')).toBe(false);
    const columns = (await db.introspection.getTables()).find((t) => t.name === 'users')?.columns;
    expect(columns?.map((c) => c.name)).not.toContain('extra');
    expect(await db.selectFrom('users').select('username').execute()).toEqual([
      { username: 'john' },
    ]);
    expect(await runMigrations(db)).toEqual([]);
  });
});
