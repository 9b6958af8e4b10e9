import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { openDatabase } from '../../src/database/database.factory.js';
import { Database } from '../../src/database/database.js';
import { ensureBuilt, ServerProcess } from '../support/server-process.js';
import { createTestApp } from '../support/test-app.js';
import { logIn, signUp } from '../support/users.factory.js';

describe('persistence', () => {
  it('keeps users and tokens across a restart on the same DATA_DIR', async () => {
    const first = await createTestApp();
    expect(first.config.database.kind).not.toBe('memory');
    const user = await signUp(first);
    const token = await logIn(first, user);
    if (first.config.database.kind === 'sqlite') {
      expect(statSync(join(first.dataDir, 'auth.sqlite')).mode & 0o777).toBe(0o600);
    }
    await first.close();

    const second = await createTestApp(first.env);
    try {
      await second.http().get('/protected').set('Authorization', `Bearer ${token}`).expect(200);
      await logIn(second, user);
      const duplicate = await second.http().post('/signup').send(user).expect(409);
      expect(duplicate.body.detail).toBe('Username already taken');
    } finally {
      await second.close({ removeData: true });
    }
  });
});

describe('GET /health/ready', () => {
  it('answers 200 while the database answers, and 503 problem details when it does not', async () => {
    const app = await createTestApp();
    try {
      const ready = await app.http().get('/health/ready').expect(200);
      expect(ready.body).toEqual({ status: 'ok', checks: { database: 'ok' } });

      await app.app.get(Database).destroy();
      const notReady = await app.http().get('/health/ready').expect(503);
      expect(notReady.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(notReady.body).toMatchObject({
        type: '/problems/not-ready',
        status: 503,
        checks: { database: 'unavailable' },
      });
      // Liveness does no I/O, so it stays up.
      await app.http().get('/health').expect(200);
    } finally {
      await app.close({ removeData: true });
    }
  });
});

const FOREIGN = '9999-from-the-future';

describe('boot', () => {
  it('stops with a clear message when a migration cannot be applied, and leaves the data alone', async () => {
    const first = await createTestApp();
    const user = await signUp(first);
    // A migration recorded by a newer release that this code does not know.
    await sql`insert into kysely_migration (name, timestamp) values (${FOREIGN}, ${new Date().toISOString()})`.execute(
      first.app.get(Database),
    );
    await first.close();

    // The real server, as users start it: it must stop, say why, and exit non-zero.
    ensureBuilt();
    const { code, output } = await ServerProcess.runToExit({
      ...first.env,
      LOG_LEVEL: 'fatal',
    });
    expect(code).toBe(1);
    expect(output).toMatch(
      /Failed to start: Database migration .* failed: .*9999-from-the-future.*No migration was applied/,
    );

    // Remove the foreign record: the data is as it was, and the service starts again.
    if (first.config.database.kind === 'memory') throw new Error('needs a SQL store');
    const db = await openDatabase(first.config.database);
    await sql`delete from kysely_migration where name = ${FOREIGN}`.execute(db);
    await db.destroy();
    const again = await createTestApp(first.env);
    await logIn(again, user);
    await again.close({ removeData: true });
  }, 60_000);
});
