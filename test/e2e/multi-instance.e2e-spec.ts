import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createFreshDatabase, testPostgresUrl, type FreshDatabase } from '../support/postgres.js';
import { freshKeyPrefix, testRedisUrl } from '../support/redis.js';
import { ensureBuilt, ServerProcess } from '../support/server-process.js';
import { decodeJwt } from '../support/jwt.js';
import { runUsersCli } from '../support/users-cli.js';
import { aUser, type TestUser } from '../support/users.factory.js';

const postgresUrl = await testPostgresUrl();
const redisUrl = await testRedisUrl();
const canRun = postgresUrl !== undefined && redisUrl !== undefined;

/**
 * Two instances of the built server, each in its own process with its own DATA_DIR and no
 * JWT_SECRET, on one PostgreSQL database and one Redis: they must behave as one service.
 */
(canRun ? describe : describe.skip)('two instances on PostgreSQL + Redis', () => {
  let database: FreshDatabase;
  let a: ServerProcess;
  let b: ServerProcess;
  let shared: Record<string, string>;
  const dataDirs: string[] = [];

  beforeAll(async () => {
    ensureBuilt();
    database = await createFreshDatabase(postgresUrl!);
    shared = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      BCRYPT_COST: '4',
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl!,
      REDIS_KEY_PREFIX: freshKeyPrefix(),
      RATE_LIMIT_PER_IP: '0',
      LOGIN_MAX_FAILURES: '10',
      SHUTDOWN_DRAIN: '0',
    };
    const own = async () => {
      const dir = await mkdtemp(join(tmpdir(), 'auth-instance-'));
      dataDirs.push(dir);
      return { ...shared, DATA_DIR: dir };
    };
    // Started together on an empty database: migrations and key generation race, and must agree.
    [a, b] = await Promise.all([
      ServerProcess.start(await own()),
      ServerProcess.start(await own()),
    ]);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await database?.drop();
    await Promise.all(dataDirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }, 30_000);

  it('lets a user made on A log in on B, and B’s token work on A', async () => {
    const user = aUser();
    expect((await a.request('POST', '/signup', { body: user })).status).toBe(201);
    const login = await b.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    expect(login.status).toBe(200);
    const token = login.body.access_token as string;
    const greeting = await a.request('GET', '/protected', { token });
    expect(greeting.status).toBe(200);
    expect(greeting.body.message).toBe(`Hello ${user.username}, welcome to the protected route!`);
    // And a refresh token from B rotates on A.
    const refreshed = await a.request('POST', '/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    expect(refreshed.status).toBe(200);
    // Started together on an empty database, they agreed on one signing key.
    const kid = (jwt: unknown) => decodeJwt(jwt as string).header.kid;
    expect(kid(refreshed.body.access_token)).toBe(kid(token));
  });

  it('answers one refresh token sent to A and B at once with 200 and one same successor on both', async () => {
    const user = aUser();
    await a.request('POST', '/signup', { body: user });
    const login = await a.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    const body = { refresh_token: login.body.refresh_token };
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).request('POST', '/refresh', { body }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    const answered = new Set(responses.map((r) => r.body.refresh_token));
    expect(answered.size).toBe(1);
    // The session lives on, on both: its access tokens work and the answered token rotates.
    const [current] = [...answered];
    for (const [i, response] of responses.entries()) {
      const token = response.body.access_token as string;
      expect((await (i % 2 === 0 ? b : a).request('GET', '/protected', { token })).status).toBe(
        200,
      );
    }
    const next = await b.request('POST', '/refresh', { body: { refresh_token: current } });
    expect(next.status).toBe(200);
    expect(next.body.refresh_token).not.toBe(current);
  });

  it('refuses on B, within a second, a token logged out on A', async () => {
    const user = aUser();
    await a.request('POST', '/signup', { body: user });
    const login = await a.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    const token = login.body.access_token as string;
    expect((await b.request('GET', '/protected', { token })).status).toBe(200);

    expect((await a.request('POST', '/logout', { token })).status).toBe(204);
    const loggedOutAt = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - loggedOutAt < 2_000) {
      status = (await b.request('GET', '/protected', { token })).status;
    }
    expect(status).toBe(401);
    expect(Date.now() - loggedOutAt).toBeLessThan(1_000);
    expect(
      (await b.request('POST', '/refresh', { body: { refresh_token: login.body.refresh_token } }))
        .status,
    ).toBe(401);
  });

  it('counts wrong passwords spread over A and B against one limit per account and address', async () => {
    const user = aUser();
    await a.request('POST', '/signup', { body: user });
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      const instance = i % 2 === 0 ? a : b;
      const response = await instance.request('POST', '/login', {
        body: { username: user.username, password: `wrong-${i}` },
      });
      statuses.push(response.status);
    }
    // Exactly as on one instance: LOGIN_MAX_FAILURES (10) failures, then 429.
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual(Array(20).fill(429));
  });

  /** Polls `instance` until it refuses the token; answers how long that took. */
  const refusedAfter = async (instance: ServerProcess, token: string, path = '/protected') => {
    const since = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - since < 2_000) {
      status = (await instance.request('GET', path, { token })).status;
    }
    expect(status).toBe(401);
    return Date.now() - since;
  };

  const logIn = async (instance: ServerProcess, user: TestUser) =>
    (
      await instance.request('POST', '/login', {
        body: { username: user.username, password: user.password },
      })
    ).body.access_token as string;

  it('refuses on B, within a second, the token of a user an admin disabled on A', async () => {
    // The first admin, made as an operator would: npm run users, on the shared database.
    const boss = aUser();
    const dir = dataDirs[0]!;
    const created = await runUsersCli(
      ['create', '--username', boss.username, '--email', boss.email, '--role', 'admin'],
      { env: { ...shared, DATA_DIR: dir }, cwd: dir, stdin: `${boss.password}\n` },
    );
    expect(created.code).toBe(0);
    const bossToken = await logIn(a, boss);

    const user = aUser();
    expect((await b.request('POST', '/signup', { body: user })).status).toBe(201);
    const token = await logIn(b, user);
    expect((await b.request('GET', '/protected', { token })).status).toBe(200);
    const idOf = async (someone: TestUser) =>
      (
        (await a.request('GET', `/admin/users?q=${someone.username}`, { token: bossToken })).body
          .users as { id: string }[]
      )[0]!.id;
    const id = await idOf(user);

    const disabled = await a.request('POST', `/admin/users/${id}/disable`, {
      token: bossToken,
      body: { reason: 'multi-instance test' },
    });
    expect(disabled.status).toBe(204);
    expect(await refusedAfter(b, token)).toBeLessThan(1_000);
    const login = await b.request('POST', '/login', {
      body: { username: user.username, password: user.password },
    });
    expect(login.status).toBe(401);

    // A demoted admin's token, too: refused on the other instance at once.
    const deputy = aUser();
    await a.request('POST', '/signup', { body: deputy });
    const deputyId = await idOf(deputy);
    await a.request('PATCH', `/admin/users/${deputyId}`, {
      token: bossToken,
      body: { roles: ['admin'] },
    });
    const deputyToken = await logIn(b, deputy);
    expect((await b.request('GET', '/admin/users', { token: deputyToken })).status).toBe(200);
    await a.request('PATCH', `/admin/users/${deputyId}`, { token: bossToken, body: { roles: [] } });
    expect(await refusedAfter(b, deputyToken, '/admin/users')).toBeLessThan(1_000);
  }, 30_000);

  it('reports both dependencies as ready', async () => {
    for (const instance of [a, b]) {
      const ready = await instance.request('GET', '/health/ready');
      expect(ready.body).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
    }
  });
});
