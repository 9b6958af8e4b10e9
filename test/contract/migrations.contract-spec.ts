import { createSecretKey, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import bcrypt from 'bcryptjs';
import { Migrator, sql, type Migration } from 'kysely';
import type { SqlDatabaseConfig } from '../../src/database/database.factory.js';
import { openDatabase } from '../../src/database/database.factory.js';
import type { Database } from '../../src/database/database.js';
import { MIGRATIONS } from '../../src/database/migrations/migration-list.js';
import { NO_PASSWORD_PLACEHOLDER } from '../../src/database/migrations/0013-create-identities.js';
import { SqlSessionsRepository } from '../../src/sessions/repositories/sql.sessions.repository.js';
import type { RevocationList } from '../../src/sessions/revocation-list.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { hashRefreshToken } from '../../src/sessions/refresh-token.js';
import type { AppConfig } from '../../src/config/app-config.js';
import type { ServerSecrets } from '../../src/secrets/server-secrets.js';
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

// A refused statement is checked with `rejects.toBeDefined()`, not `rejects.toThrow()`: better-sqlite3's
// native addon keeps the SqliteError class of the first test file that loaded it in this worker, so in
// any later file its errors come from another realm, and toThrow() does not recognise them as errors.
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

  it('keeps pre-0010 refresh tokens working: the unspent one moves its session to the new format', async () => {
    const db = await freshDatabase();
    const before0010 = Object.fromEntries(
      Object.entries(MIGRATIONS).filter(([name]) => name < '0010'),
    );
    await runMigrations(db, before0010);
    const now = Date.now();
    const iso = (offsetMs: number) => new Date(now + offsetMs).toISOString();
    await db
      .insertInto('users')
      .values({
        id: 'u1',
        username: 'john',
        username_key: 'john',
        email: 'john@example.com',
        email_key: 'john@example.com',
        password_hash: 'h',
        created_at: iso(-3_600_000),
      })
      .execute();
    const sessionId = '6f1c2b8e-3a4d-4e5f-8a9b-0c1d2e3f4a5b';
    await db
      .insertInto('sessions')
      .values({
        id: sessionId,
        user_id: 'u1',
        created_at: iso(-3_600_000),
        last_used_at: iso(-60_000),
        expires_at: iso(86_400_000),
        user_agent: null,
        ip: null,
      }) // the columns as 0009 left them: no generation or token_hash yet
      .execute();
    const [spent, unspent] = [randomBytes(32), randomBytes(32)].map((b) => b.toString('base64url'));
    const legacyRow = (token: string, usedAt: string | null) => ({
      id: randomBytes(8).toString('hex'),
      session_id: sessionId,
      token_hash: hashRefreshToken(token),
      created_at: iso(-3_600_000),
      expires_at: iso(86_400_000),
      used_at: usedAt,
    });
    await db
      .insertInto('refresh_tokens')
      .values([legacyRow(spent!, iso(-60_000)), legacyRow(unspent!, null)])
      .execute();

    expect(await runMigrations(db)).toEqual([
      '0010-bounded-session-storage',
      '0011-revocation-order',
      '0012-create-account-devices',
      '0013-create-identities',
      '0014-session-sign-in',
      '0015-audit-sign-in-provider',
      '0016-create-passkeys',
    ]);

    const revoked: string[] = [];
    const service = new SessionsService(
      new SqlSessionsRepository(db),
      { revoke: (ids: readonly string[]) => revoked.push(...ids) } as unknown as RevocationList,
      { jwt: { refreshReuseIntervalSeconds: 10, refreshTokenTtlSeconds: 86_400 } } as AppConfig,
      { refreshToken: createSecretKey(randomBytes(32)) } as unknown as ServerSecrets,
    );
    const client = { ip: null, userAgent: null, requestId: 'r' };
    expect(await service.findToken(unspent!)).toMatchObject({ current: true });
    const adopted = await service.rotate(unspent!, client);
    expect(adopted).toMatchObject({ kind: 'rotated', reuseTolerated: false });
    const next = adopted.kind === 'rotated' ? adopted.refreshToken : '';
    expect(next).toMatch(/^[A-Za-z0-9_-]{92}$/);
    // A concurrent or retried refresh with the same legacy token gets the same answer...
    expect(await service.rotate(unspent!, client)).toMatchObject({
      refreshToken: next,
      reuseTolerated: true,
    });
    // ...and the new token rotates like any other, with no row added.
    expect(await service.rotate(next, client)).toMatchObject({ kind: 'rotated' });
    expect(await db.selectFrom('refresh_tokens').select('id').execute()).toHaveLength(2);
    // A token spent before the upgrade, replayed after the interval, is still reuse.
    expect(await service.rotate(spent!, client)).toMatchObject({ kind: 'reused' });
    expect(revoked).toEqual([sessionId]);
  });

  it('0013 lets password_hash be null and keeps every account, its password and what hangs off it', async () => {
    const db = await freshDatabase();
    await runMigrations(
      db,
      Object.fromEntries(Object.entries(MIGRATIONS).filter(([name]) => name < '0013')),
    );
    const now = new Date().toISOString();
    const user = (id: string) => ({
      id,
      username: id,
      username_key: id,
      email: `${id}@example.com`,
      email_key: `${id}@example.com`,
      password_hash: `$2b$04$hash-of-${id}`,
      created_at: now,
    });
    await db
      .insertInto('users')
      .values([user('u1'), user('u2')])
      .execute();
    await db.insertInto('user_roles').values({ user_id: 'u1', role: 'admin' }).execute();
    const session = (id: string, userId: string) => ({
      id,
      user_id: userId,
      created_at: now,
      last_used_at: now,
      expires_at: now,
    });
    await db
      .insertInto('sessions')
      .values([session('s1', 'u1'), session('s2', 'u2')])
      .execute();

    expect(await runMigrations(db)).toEqual([
      '0013-create-identities',
      '0014-session-sign-in',
      '0015-audit-sign-in-provider',
      '0016-create-passkeys',
    ]);

    const rows = await db
      .selectFrom('users')
      .select(['id', 'username', 'email_key', 'password_hash', 'created_at'])
      .orderBy('id')
      .execute();
    expect(rows.map(({ id, password_hash }) => ({ id, password_hash }))).toEqual([
      { id: 'u1', password_hash: '$2b$04$hash-of-u1' },
      { id: 'u2', password_hash: '$2b$04$hash-of-u2' },
    ]);
    expect(await db.selectFrom('user_roles').selectAll().execute()).toEqual([
      { user_id: 'u1', role: 'admin' },
    ]);
    expect(await db.selectFrom('sessions').select('id').orderBy('id').execute()).toEqual([
      { id: 's1' },
      { id: 's2' },
    ]);

    await db
      .insertInto('users')
      .values({ ...user('u3'), password_hash: null })
      .execute();
    const u3 = await db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', 'u3')
      .executeTakeFirstOrThrow();
    expect(u3.password_hash).toBeNull();
    // The unique indexes and the foreign keys pointing at users are still there.
    await expect(
      db
        .insertInto('users')
        .values({ ...user('u4'), email_key: 'u1@example.com' })
        .execute(),
    ).rejects.toBeDefined();
    await expect(
      db.insertInto('sessions').values(session('s9', 'nobody')).execute(),
    ).rejects.toBeDefined();
    await db.deleteFrom('users').where('id', '=', 'u1').execute();
    expect(await db.selectFrom('sessions').select('id').execute()).toEqual([{ id: 's2' }]);
    expect(await db.selectFrom('user_roles').selectAll().execute()).toEqual([]);
  });

  it('0013 goes down again: password_hash is required, and an account without one gets a hash no password matches', async () => {
    const db = await freshDatabase();
    await runMigrations(db);
    const now = new Date().toISOString();
    await db
      .insertInto('users')
      .values({
        id: 'u1',
        username: 'nopass',
        username_key: 'nopass',
        email: 'nopass@example.com',
        email_key: 'nopass@example.com',
        password_hash: null,
        created_at: now,
      })
      .execute();
    await db
      .insertInto('sessions')
      .values({
        id: 's1',
        user_id: 'u1',
        created_at: now,
        last_used_at: now,
        expires_at: now,
      })
      .execute();
    const migrator = new Migrator({
      db,
      provider: { getMigrations: () => Promise.resolve(MIGRATIONS) },
    });
    expect((await migrator.migrateDown()).results).toEqual([
      { migrationName: '0016-create-passkeys', direction: 'Down', status: 'Success' },
    ]);
    expect(await tableExists(db, 'passkeys')).toBe(false);
    expect(await tableExists(db, 'webauthn_challenges')).toBe(false);
    expect((await migrator.migrateDown()).results).toEqual([
      { migrationName: '0015-audit-sign-in-provider', direction: 'Down', status: 'Success' },
    ]);
    expect((await migrator.migrateDown()).results).toEqual([
      { migrationName: '0014-session-sign-in', direction: 'Down', status: 'Success' },
    ]);
    expect((await migrator.migrateDown()).results).toEqual([
      { migrationName: '0013-create-identities', direction: 'Down', status: 'Success' },
    ]);

    const { password_hash } = await db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', 'u1')
      .executeTakeFirstOrThrow();
    expect(password_hash).toBe(NO_PASSWORD_PLACEHOLDER);
    expect(await bcrypt.compare('', NO_PASSWORD_PLACEHOLDER)).toBe(false);
    expect(await tableExists(db, 'identities')).toBe(false);
    expect(await db.selectFrom('sessions').select('id').execute()).toEqual([{ id: 's1' }]);
    await expect(
      db
        .insertInto('users')
        .values({
          id: 'u2',
          username: 'x',
          username_key: 'x',
          email: 'x@example.com',
          email_key: 'x@example.com',
          password_hash: null,
          created_at: now,
        })
        .execute(),
    ).rejects.toBeDefined();
    // …and up once more.
    expect(await runMigrations(db)).toEqual([
      '0013-create-identities',
      '0014-session-sign-in',
      '0015-audit-sign-in-provider',
      '0016-create-passkeys',
    ]);
  });
});
