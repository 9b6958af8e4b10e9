import { afterEach, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, signUp } from '../support/users.factory.js';

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close({ removeData: true })));
});
const start = async (env: Record<string, string>): Promise<TestApp> => {
  const app = await createTestApp(env);
  apps.push(app);
  return app;
};

/** The OAuth2 endpoints serve problems as application/json with an `error` code (RFC 6749 §5.2). */
const OAUTH_ENDPOINTS = ['/login', '/refresh', '/revoke', '/introspect'];

const expectTooMany = (response: {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
  request: { url: string };
}): void => {
  expect(response.status).toBe(429);
  const oauth = OAUTH_ENDPOINTS.includes(new URL(response.request.url).pathname);
  expect(response.headers['content-type']).toMatch(
    oauth ? /^application\/json/ : /^application\/problem\+json/,
  );
  expect(response.body).toMatchObject({ type: '/problems/too-many-requests', status: 429 });
  if (oauth) expect(response.body.error).toBe('temporarily_unavailable');
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
};

describe('per-IP rate limit (RATE_LIMIT_PER_IP per minute, per endpoint)', () => {
  it('answers 429 with Retry-After past the limit on /signup, /login, /refresh and /revoke, each counted apart', async () => {
    const app = await start({ RATE_LIMIT_PER_IP: '3' });
    for (let i = 0; i < 3; i++) await app.http().post('/signup').send(aUser()).expect(201);
    const limited = await app.http().post('/signup').send(aUser());
    expectTooMany(limited);
    expect(limited.body.detail).toMatch(/^Too many requests from your address/);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);

    for (const path of ['/login', '/refresh', '/revoke']) {
      for (let i = 0; i < 3; i++) {
        const response = await app
          .http()
          .post(path)
          .send({ username: 'x', refresh_token: 'x', token: 'x' });
        expect(response.status).not.toBe(429);
      }
      expectTooMany(
        await app.http().post(path).send({ username: 'x', refresh_token: 'x', token: 'x' }),
      );
    }
    // Other routes are not limited.
    await app.http().get('/health').expect(200);
  });

  it('is not dodged by a forged X-Forwarded-For when no proxy is trusted', async () => {
    const app = await start({ RATE_LIMIT_PER_IP: '2' });
    const statuses: number[] = [];
    for (const forged of ['198.51.100.1', '198.51.100.2', '198.51.100.3']) {
      const response = await app
        .http()
        .post('/signup')
        .set('X-Forwarded-For', forged)
        .send(aUser());
      statuses.push(response.status);
    }
    expect(statuses).toEqual([201, 201, 429]);
  });

  it('uses X-Forwarded-For when TRUST_PROXY names the proxy', async () => {
    const app = await start({
      RATE_LIMIT_PER_IP: '2',
      TRUST_PROXY: '127.0.0.1,::1,::ffff:127.0.0.1',
    });
    const from = (client: string) =>
      app.http().post('/signup').set('X-Forwarded-For', client).send(aUser());
    await from('203.0.113.1').expect(201);
    await from('203.0.113.1').expect(201);
    expectTooMany(await from('203.0.113.1'));
    // Another client behind the same proxy has its own allowance.
    await from('203.0.113.2').expect(201);
  });

  it('is off with RATE_LIMIT_PER_IP=0', async () => {
    const app = await start({ RATE_LIMIT_PER_IP: '0' });
    for (let i = 0; i < 40; i++) {
      const response = await app.http().post('/refresh').send({ refresh_token: 'x' });
      expect(response.status).toBe(401);
    }
  });
});

// LOGIN_MAX_FAILURES counts per account *and address* (before issue 14: per account, any address).
// The other counters (per account across unknown clients, per address across accounts, device
// cookies) are in login-lockout.e2e-spec.ts.
describe('per account and address login limit (LOGIN_MAX_FAILURES within LOGIN_FAILURE_WINDOW)', () => {
  const env = { LOGIN_MAX_FAILURES: '3', LOGIN_FAILURE_WINDOW: '15m' };
  const login = (app: TestApp, username: string, password: string, client?: string) => {
    const request = app.http().post('/login');
    if (client) request.set('X-Forwarded-For', client);
    return request.send({ username, password });
  };

  it('answers 429 with Retry-After after too many failures, even for the right password', async () => {
    const app = await start(env);
    const user = await signUp(app);
    for (let i = 0; i < 3; i++) await login(app, user.username, 'wrong password').expect(401);
    const limited = await login(app, user.username, user.password);
    expectTooMany(limited);
    expect(limited.body.detail).toBe('Too many failed logins; try again later.');
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    // Usernames are normalised: another case is the same account.
    expectTooMany(await login(app, user.username.toUpperCase(), user.password));
  });

  it('answers an unknown username exactly like a known one', async () => {
    const app = await start(env);
    const known = await signUp(app);
    const unknown = aUser().username;
    const answers = async (username: string) => {
      const responses = [];
      for (let i = 0; i < 5; i++) responses.push(await login(app, username, 'wrong password'));
      return responses.map((r) => ({
        status: r.status,
        // Every answer has its own request id; all else must match.
        body: { ...r.body, request_id: undefined },
        retry: !!r.headers['retry-after'],
      }));
    };
    const knownAnswers = await answers(known.username);
    const unknownAnswers = await answers(unknown);
    expect(knownAnswers.map((a) => a.status)).toEqual([401, 401, 401, 429, 429]);
    expect(unknownAnswers.map((a) => ({ ...a, body: { ...a.body, detail: undefined } }))).toEqual(
      knownAnswers.map((a) => ({ ...a, body: { ...a.body, detail: undefined } })),
    );
  });

  it('resets the count on a successful login', async () => {
    const app = await start(env);
    const user = await signUp(app);
    await login(app, user.username, 'wrong').expect(401);
    await login(app, user.username, 'wrong').expect(401);
    await login(app, user.username, user.password).expect(200);
    for (let i = 0; i < 3; i++) await login(app, user.username, 'wrong').expect(401);
    expectTooMany(await login(app, user.username, 'wrong'));
  });

  it('counts each address apart: failures elsewhere do not stop another address', async () => {
    const app = await start({ ...env, TRUST_PROXY: '127.0.0.1,::1,::ffff:127.0.0.1' });
    const user = await signUp(app);
    for (const client of ['203.0.113.1', '203.0.113.2', '203.0.113.3']) {
      await login(app, user.username, 'wrong', client).expect(401);
    }
    await login(app, user.username, user.password, '203.0.113.4').expect(200);
    // While one address used up its allowance, the others still have theirs.
    for (let i = 0; i < 2; i++) await login(app, user.username, 'wrong', '203.0.113.1').expect(401);
    expectTooMany(await login(app, user.username, user.password, '203.0.113.1'));
    await login(app, user.username, 'wrong', '203.0.113.2').expect(401);
  });

  it('holds under concurrent guessing: no more than the allowance reaches the password check', async () => {
    const app = await start(env);
    const user = await signUp(app);
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => login(app, user.username, 'wrong')),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
  });
});
