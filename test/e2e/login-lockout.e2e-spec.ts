import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Response } from 'supertest';
import { Database } from '../../src/database/database.js';
import { DEVICES_PER_ACCOUNT } from '../../src/rate-limit/device-cookies.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, signUp, type TestUser } from '../support/users.factory.js';

// Each test starts its own app (a fresh PostgreSQL database in the CI's second e2e run) and some
// wait out a window: more than Jest's 5 s on a busy machine.
jest.setTimeout(30_000);

/** 150 logins and more: bcrypt at cost 4 is quick, but they add up on a busy machine. */
const MANY_LOGINS_MS = 90_000;

/** Every test speaks from many addresses, through a trusted proxy on loopback. */
const PROXIED = { TRUST_PROXY: '127.0.0.1,::1,::ffff:127.0.0.1', RATE_LIMIT_PER_IP: '0' };

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close({ removeData: true })));
});
const start = async (env: Record<string, string> = {}): Promise<TestApp> => {
  const app = await createTestApp({ ...PROXIED, ...env });
  apps.push(app);
  return app;
};

const login = (
  app: TestApp,
  from: string,
  username: string,
  password: string,
  deviceCookie?: string,
) => {
  const request = app.http().post('/login').set('X-Forwarded-For', from);
  if (deviceCookie) request.set('Cookie', deviceCookie);
  return request.send({ username, password });
};

/** The `device=…` pair of a login's Set-Cookie, as a browser would send it back. */
const deviceCookieOf = (response: Response): string => {
  const header = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
  const cookie = header.find((line) => line.startsWith('device='));
  if (!cookie) throw new Error('no device cookie set');
  return cookie.split(';')[0]!;
};

/** What an attacker sees of an answer: all of it but the request id. */
const seen = (response: Response) => ({
  status: response.status,
  body: { ...(response.body as Record<string, unknown>), request_id: undefined },
  retryAfter: response.headers['retry-after'] !== undefined,
  setsCookie: response.headers['set-cookie'] !== undefined,
});

const expectLimited = (response: Response): void => {
  expect(response.status).toBe(429);
  // /login is an OAuth2 token endpoint: problem details as application/json (RFC 6749 §5.2).
  expect(response.headers['content-type']).toMatch(/^application\/json/);
  expect(response.body).toMatchObject({
    type: '/problems/too-many-requests',
    status: 429,
    detail: 'Too many failed logins; try again later.',
    error: 'temporarily_unavailable',
  });
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(response.headers['set-cookie']).toBeUndefined();
};

const limitedReasons = async (app: TestApp): Promise<string[]> => {
  const rows = await app.app
    .get(Database)
    .selectFrom('audit_events')
    .select(['reason', 'at'])
    .where('type', '=', 'login_limited')
    .orderBy('at')
    .execute();
  return [...new Set(rows.map((row) => row.reason ?? ''))];
};

/** 150 addresses each fail once; then a new unknown address tries. What the attacker sees. */
async function distributedGuessing(app: TestApp, username: string, password: string) {
  const answers: Response[] = [];
  for (let i = 0; i < 150; i++) {
    answers.push(
      await login(app, `10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`, username, 'guess'),
    );
  }
  answers.push(await login(app, '10.2.0.1', username, password));
  return answers;
}

/** One address fails 10 times, then tries the right password. */
async function oneAddressGuessing(app: TestApp, username: string, password: string) {
  const answers: Response[] = [];
  for (let i = 0; i < 10; i++) answers.push(await login(app, '10.3.0.1', username, `guess-${i}`));
  answers.push(await login(app, '10.3.0.1', username, password));
  return answers;
}

describe('failed logins from many addresses (LOGIN_MAX_FAILURES_ACCOUNT, default 100)', () => {
  it(
    'refuse new unknown clients even with the right password, while the owner’s address and device log in at once',
    async () => {
      const app = await start();
      const owner = await signUp(app);
      // The owner logged in before: from home, and from a laptop that keeps its device cookie.
      await login(app, '192.0.2.10', owner.username, owner.password).expect(200);
      const laptop = deviceCookieOf(
        await login(app, '192.0.2.20', owner.username, owner.password).expect(200),
      );

      const answers = await distributedGuessing(app, owner.username, owner.password);
      expect(answers.slice(0, 100).map((r) => r.status)).toEqual(Array(100).fill(401));
      expect(answers.slice(100, 150).map((r) => r.status)).toEqual(Array(50).fill(429));
      // A new unknown address is refused, even with the right password.
      expectLimited(answers[150]!);

      // The owner's address, and the laptop from an address it never used, log in at once.
      await login(app, '192.0.2.10', owner.username, owner.password).expect(200);
      await login(app, '198.51.100.77', owner.username, owner.password, laptop).expect(200);
      expect(await limitedReasons(app)).toEqual(['account']);
    },
    MANY_LOGINS_MS,
  );

  it('does not count the owner’s address as known once 30 days have passed', async () => {
    const app = await start({ LOGIN_MAX_FAILURES_ACCOUNT: '3' });
    const owner = await signUp(app);
    await login(app, '192.0.2.10', owner.username, owner.password).expect(200);
    for (const from of ['10.1.0.1', '10.1.0.2', '10.1.0.3']) {
      await login(app, from, owner.username, 'guess').expect(401);
    }
    const known = app.app.get(Database).updateTable('known_login_addresses');
    await known
      .set({ last_login_at: new Date(Date.now() - 31 * 86_400_000).toISOString() })
      .execute();
    expectLimited(await login(app, '192.0.2.10', owner.username, owner.password));
  });
});

describe('failed logins from one address (LOGIN_MAX_FAILURES, default 10)', () => {
  it('get that address 429 for that account only; the owner elsewhere and other accounts are untouched', async () => {
    const app = await start();
    const owner = await signUp(app);
    const bystander = await signUp(app);

    const answers = await oneAddressGuessing(app, owner.username, owner.password);
    expect(answers.slice(0, 10).map((r) => r.status)).toEqual(Array(10).fill(401));
    expectLimited(answers[10]!);
    const retryAfter = Number(answers[10]!.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);

    // The owner, from an address the account has never seen, logs in at once.
    await login(app, '203.0.113.5', owner.username, owner.password).expect(200);
    // The same address on another account: a plain 401, and that account's owner logs in.
    await login(app, '10.3.0.1', bystander.username, 'guess').expect(401);
    await login(app, '203.0.113.6', bystander.username, bystander.password).expect(200);
    await login(app, '10.3.0.1', bystander.username, bystander.password).expect(200);
    expect(await limitedReasons(app)).toEqual(['account_address']);
  });

  it('gives a device cookie holder its own allowance, wherever it comes from', async () => {
    const app = await start({ LOGIN_MAX_FAILURES: '3' });
    const owner = await signUp(app);
    const cookie = deviceCookieOf(
      await login(app, '192.0.2.20', owner.username, owner.password).expect(200),
    );
    for (const from of ['10.4.0.1', '10.4.0.2', '10.4.0.3']) {
      await login(app, from, owner.username, 'typo', cookie).expect(401);
    }
    expectLimited(await login(app, '10.4.0.4', owner.username, owner.password, cookie));
    // Those failures were the device's, not the addresses': without it, they are fresh.
    await login(app, '10.4.0.1', owner.username, owner.password).expect(200);
    expect(await limitedReasons(app)).toEqual(['device']);
  });
});

describe('failed logins from one address across accounts (LOGIN_MAX_FAILURES_PER_ADDRESS)', () => {
  it('refuse that address, except on accounts that logged in from there before', async () => {
    const app = await start({ LOGIN_MAX_FAILURES_PER_ADDRESS: '5' });
    const colleague = await signUp(app);
    await login(app, '100.64.0.1', colleague.username, colleague.password).expect(200);
    const victims = await Promise.all(Array.from({ length: 6 }, () => signUp(app)));

    for (const victim of victims.slice(0, 5)) {
      await login(app, '100.64.0.1', victim.username, 'stuffed').expect(401);
    }
    expectLimited(await login(app, '100.64.0.1', victims[5]!.username, victims[5]!.password));
    // Someone else behind the same NAT who logged in from there before is not locked out.
    await login(app, '100.64.0.1', colleague.username, colleague.password).expect(200);
    // And the victims, from their own addresses, are untouched.
    await login(app, '203.0.113.9', victims[5]!.username, victims[5]!.password).expect(200);
    expect(await limitedReasons(app)).toEqual(['address_failures']);
  });
});

describe('an unknown username', () => {
  it(
    'is counted and answered exactly like a known one, by every counter',
    async () => {
      const app = await start();
      for (const scenario of [distributedGuessing, oneAddressGuessing]) {
        // A fresh account and a fresh unknown name for each scenario; the known one is tried with
        // its right password at the end, the unknown one with any password.
        const known: TestUser = await signUp(app);
        const ghost = aUser();
        const knownAnswers = (await scenario(app, known.username, known.password)).map(seen);
        const ghostAnswers = (await scenario(app, ghost.username, ghost.password)).map(seen);
        expect(knownAnswers.at(-1)?.status).toBe(429);
        expect(ghostAnswers).toEqual(knownAnswers);
      }
    },
    MANY_LOGINS_MS,
  );
});

describe('the 429 answer', () => {
  it('is the same whichever counter tripped', async () => {
    const app = await start({
      LOGIN_MAX_FAILURES: '2',
      LOGIN_MAX_FAILURES_ACCOUNT: '3',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '4',
    });
    const [a, b] = [aUser().username, aUser().username];
    const statuses = async (from: string, username: string, n: number) => {
      const answers: Response[] = [];
      for (let i = 0; i < n; i++) answers.push(await login(app, from, username, 'guess'));
      return answers;
    };
    const byPair = (await statuses('10.5.0.1', a, 3))[2]!;
    await statuses('10.5.0.2', a, 1);
    const byAccount = (await statuses('10.5.0.3', a, 1))[0]!;
    await statuses('10.5.0.9', b, 2);
    await statuses('10.5.0.9', aUser().username, 2);
    const byAddress = (await statuses('10.5.0.9', aUser().username, 1))[0]!;

    for (const response of [byPair, byAccount, byAddress]) expectLimited(response);
    const body = (r: Response) => ({ ...(r.body as object), request_id: undefined });
    expect(body(byAccount)).toEqual(body(byPair));
    expect(body(byAddress)).toEqual(body(byPair));
    expect(await limitedReasons(app)).toEqual(['account_address', 'account', 'address_failures']);
  });
});

describe('the device cookie', () => {
  it('is set on every successful login: HttpOnly, SameSite=Strict, Path=/login, a year, not Secure on http', async () => {
    const app = await start();
    const user = await signUp(app);
    const response = await login(app, '192.0.2.1', user.username, user.password).expect(200);
    const [cookie] = ([] as string[]).concat(response.headers['set-cookie'] ?? []);
    // <device number>.<generation>.<expiry>.<mac> (issue 23, item 6: was <random id>.<expiry>.<mac>)
    expect(cookie).toMatch(/^device=\d+\.\d+\.\d+\.[A-Za-z0-9_-]{43}; /);
    const attributes = cookie!.split('; ').slice(1).sort();
    expect(attributes).toEqual(['HttpOnly', 'Max-Age=31536000', 'Path=/login', 'SameSite=Strict']);
    // Nothing on a failed login.
    const failed = await login(app, '192.0.2.1', user.username, 'wrong').expect(401);
    expect(failed.headers['set-cookie']).toBeUndefined();
    // The next login keeps the device id.
    const again = await login(
      app,
      '192.0.2.2',
      user.username,
      user.password,
      deviceCookieOf(response),
    );
    expect(deviceCookieOf(again).split('.')[0]).toBe(deviceCookieOf(response).split('.')[0]);
    // The refresh grant on the token endpoint starts no login: no cookie.
    const refreshed = await app
      .http()
      .post('/login')
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: response.body.refresh_token as string })
      .expect(200);
    expect(refreshed.headers['set-cookie']).toBeUndefined();
  });

  it('is Secure when PUBLIC_URL is https', async () => {
    const app = await start({ PUBLIC_URL: 'https://auth.example.com' });
    const user = await signUp(app);
    const response = await login(app, '192.0.2.1', user.username, user.password).expect(200);
    expect(String(response.headers['set-cookie'])).toMatch(/; Secure(;|$)/);
  });

  it('helps only the account it was set for, and not once tampered with', async () => {
    const app = await start({ LOGIN_MAX_FAILURES_ACCOUNT: '2' });
    const owner = await signUp(app);
    const other = await signUp(app);
    const othersCookie = deviceCookieOf(
      await login(app, '192.0.2.30', other.username, other.password).expect(200),
    );
    const ownersCookie = deviceCookieOf(
      await login(app, '192.0.2.31', owner.username, owner.password).expect(200),
    );
    await login(app, '10.6.0.1', owner.username, 'guess').expect(401);
    await login(app, '10.6.0.2', owner.username, 'guess').expect(401);
    expectLimited(await login(app, '10.6.0.3', owner.username, owner.password, othersCookie));
    const tampered = ownersCookie.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    expectLimited(await login(app, '10.6.0.4', owner.username, owner.password, tampered));
    await login(app, '10.6.0.5', owner.username, owner.password, ownersCookie).expect(200);
  });
});

describe('a device cookie and what ends the account’s sessions (issue 23, item 6)', () => {
  /** Three failures from three new addresses with `cookie`, then the right password. */
  const guessesWith = async (app: TestApp, owner: TestUser, cookie: string) => {
    for (const from of ['10.8.0.1', '10.8.0.2', '10.8.0.3']) {
      await login(app, from, owner.username, 'typo', cookie).expect(401);
    }
    return login(app, '10.8.0.4', owner.username, owner.password, cookie);
  };

  it('still gives a device its own allowance while nothing ended the account’s sessions', async () => {
    const app = await start({ LOGIN_MAX_FAILURES: '3' });
    const owner = await signUp(app);
    const cookie = deviceCookieOf(
      await login(app, '192.0.2.40', owner.username, owner.password).expect(200),
    );
    expectLimited(await guessesWith(app, owner, cookie));
  });

  it.each([
    ['log-out-everywhere', '/logout/all', (_owner: TestUser) => ({})],
    [
      'a password change',
      '/me/password',
      (owner: TestUser) => ({
        current_password: owner.password,
        new_password: `${owner.password}!x`,
      }),
    ],
  ])(
    'gives a device cookie minted before %s no allowance of its own after it',
    async (_what, path, body) => {
      const app = await start({ LOGIN_MAX_FAILURES: '3' });
      const owner = await signUp(app);
      const first = await login(app, '192.0.2.41', owner.username, owner.password).expect(200);
      const stolen = deviceCookieOf(first);
      await app
        .http()
        .post(path)
        .set('Authorization', `Bearer ${first.body.access_token as string}`)
        .send(body(owner))
        .expect(204);
      const current =
        path === '/me/password' ? { ...owner, password: `${owner.password}!x` } : owner;
      // The cookie is just a client now: each new address has its own 3, the account its 100.
      expect((await guessesWith(app, current, stolen)).status).toBe(200);
    },
  );

  it(`keeps at most ${DEVICES_PER_ACCOUNT} device cookies per account: the oldest minted is dropped`, async () => {
    const app = await start({ LOGIN_MAX_FAILURES: '3' });
    const owner = await signUp(app);
    const oldest = deviceCookieOf(
      await login(app, '192.0.2.42', owner.username, owner.password).expect(200),
    );
    for (let i = 0; i < DEVICES_PER_ACCOUNT; i++) {
      await login(app, '192.0.2.43', owner.username, owner.password).expect(200);
    }
    expect((await guessesWith(app, owner, oldest)).status).toBe(200);
  });
});
