import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from '@jest/globals';
import { openMigratedDatabase } from '../../src/database/database.factory.js';
import type { Database } from '../../src/database/database.js';
import { createFreshDatabase, testPostgresUrl } from './postgres.js';

/** One backing store for a contract suite: a migrated SQL database, or none (the memory store). */
export interface StoreUnderTest {
  readonly db: Database | undefined;
  close(): Promise<void>;
}

type Opener = () => Promise<StoreUnderTest>;

const postgresUrl = await testPostgresUrl();

/** Every store a repository has an implementation for; PostgreSQL is undefined when it is skipped. */
export const STORES: readonly (readonly [string, Opener | undefined])[] = [
  ['in memory', () => Promise.resolve({ db: undefined, close: () => Promise.resolve() })],
  [
    'SQLite',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'auth-contract-'));
      const db = await openMigratedDatabase({ kind: 'sqlite', file: join(dir, 'auth.sqlite') });
      return {
        db,
        close: async () => {
          await db.destroy();
          await rm(dir, { recursive: true, force: true });
        },
      };
    },
  ],
  [
    'PostgreSQL',
    postgresUrl === undefined
      ? undefined
      : async () => {
          const fresh = await createFreshDatabase(postgresUrl);
          const db = await openMigratedDatabase({ kind: 'postgres', url: fresh.url });
          return {
            db,
            close: async () => {
              await db.destroy();
              await fresh.drop();
            },
          };
        },
  ],
];

/** Registers the one skipped test that says why a store's suite did not run. */
export function skipUnreachable(): void {
  it.skip('skipped: PostgreSQL is not reachable (set TEST_DATABASE_URL)', () => {});
}
