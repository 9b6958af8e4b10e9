import { afterEach, describe, expect, it, jest } from '@jest/globals';
import type { Response, Test } from 'supertest';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { base32Decode, totpCode } from '../support/totp.js';
import {
  aUser,
  bearer,
  logInForTokens,
  signUp,
  type TestUser,
  type Tokens,
} from '../support/users.factory.js';

// Each test starts its own app with its own limits (a fresh PostgreSQL database in the CI's run).
jest.setTimeout(60_000);

const apps: TestApp[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close({ removeData: true })));
});
const start = async (env: Record<string, string>): Promise<TestApp> => {
  const app = await createTestApp(env);
  apps.push(app);
  return app;
};

/** Turns two-factor login on for `user`; answers its recovery codes (each proves the factor once). */
async function enrolMfa(app: TestApp, user: TestUser, tokens: Tokens): Promise<string[]> {
  const { body } = await app
    .http()
    .post('/me/mfa/totp')
    .set('Authorization', bearer(tokens.access_token))
    .send({ current_password: user.password })
    .expect(200);
  const confirm = await app
    .http()
    .post('/me/mfa/totp/confirm')
    .set('Authorization', bearer(tokens.access_token))
    .send({ code: totpCode(base32Decode(body.secret as string), Date.now() / 1000) })
    .expect(200);
  return confirm.body.recovery_codes as string[];
}

interface Account {
  readonly user: TestUser;
  readonly tokens: Tokens;
  /** With MFA on: recovery codes not used yet. */
  readonly codes: string[];
}

/** One prove-it-is-you route: a request with this password, and the status a right one gets. */
interface Route {
  readonly name: string;
  readonly mfa: boolean;
  readonly ok: number;
  send(app: TestApp, account: Account, password: string): Test;
}

const bodyWithCode = (account: Account, password: string) => ({
  current_password: password,
  code: account.codes.shift() ?? 'no-code-left',
});

const ROUTES: readonly Route[] = [
  {
    name: 'POST /me/password',
    mfa: false,
    ok: 204,
    send: (app, { tokens, user }, password) =>
      app
        .http()
        .post('/me/password')
        .set('Authorization', bearer(tokens.access_token))
        .send({ current_password: password, new_password: `${user.password}-new` }),
  },
  {
    name: 'POST /me/email',
    mfa: false,
    ok: 202,
    send: (app, { tokens, user }, password) =>
      app
        .http()
        .post('/me/email')
        .set('Authorization', bearer(tokens.access_token))
        .send({ new_email: `new-${user.email}`, current_password: password }),
  },
  {
    name: 'DELETE /me',
    mfa: false,
    ok: 204,
    send: (app, { tokens }, password) =>
      app
        .http()
        .delete('/me')
        .set('Authorization', bearer(tokens.access_token))
        .send({ current_password: password }),
  },
  {
    name: 'POST /me/mfa/totp',
    mfa: false,
    ok: 200,
    send: (app, { tokens }, password) =>
      app
        .http()
        .post('/me/mfa/totp')
        .set('Authorization', bearer(tokens.access_token))
        .send({ current_password: password }),
  },
  {
    name: 'DELETE /me/mfa/totp',
    mfa: true,
    ok: 204,
    send: (app, account, password) =>
      app
        .http()
        .delete('/me/mfa/totp')
        .set('Authorization', bearer(account.tokens.access_token))
        .send(bodyWithCode(account, password)),
  },
  {
    name: 'POST /me/mfa/recovery-codes',
    mfa: true,
    ok: 200,
    send: (app, account, password) =>
      app
        .http()
        .post('/me/mfa/recovery-codes')
        .set('Authorization', bearer(account.tokens.access_token))
        .send(bodyWithCode(account, password)),
  },
];

async function anAccount(app: TestApp, mfa: boolean): Promise<Account> {
  const user = await signUp(app, aUser());
  const tokens = await logInForTokens(app, user);
  return { user, tokens, codes: mfa ? await enrolMfa(app, user, tokens) : [] };
}

const expectLimited = (response: Response): void => {
  expect(response.status).toBe(429);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: '/problems/too-many-requests', status: 429 });
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(1);
};

describe('re-authentication on Bearer routes shares /login’s failed-login counters', () => {
  it.each(ROUTES)(
    '$name: 429 with Retry-After once the client’s failures are spent, even for the right password',
    async (route) => {
      const app = await start({ LOGIN_MAX_FAILURES: '3' });
      const account = await anAccount(app, route.mfa);
      for (let i = 0; i < 3; i += 1) {
        const wrong = await route.send(app, account, 'not-the-password');
        expect(wrong.status).toBe(403);
        expect(wrong.body.type).toBe('/problems/wrong-password');
      }
      expectLimited(await route.send(app, account, 'not-the-password'));
      expectLimited(await route.send(app, account, account.user.password));
      // The same counters as /login: the address is out of attempts there too.
      const login = await app
        .http()
        .post('/login')
        .send({ username: account.user.username, password: account.user.password });
      expect(login.status).toBe(429);
    },
  );

  it('counts wrong second factors too, and wrong logins against re-authentication', async () => {
    const app = await start({ LOGIN_MAX_FAILURES: '3' });
    const account = await anAccount(app, true);
    const route = ROUTES.find((r) => r.name === 'POST /me/mfa/recovery-codes')!;
    await app
      .http()
      .post('/login')
      .send({ username: account.user.username, password: 'not-the-password' })
      .expect(401);
    const wrongCode = await app
      .http()
      .post('/me/mfa/recovery-codes')
      .set('Authorization', bearer(account.tokens.access_token))
      .send({ current_password: account.user.password, code: 'AAAA-BBBB-CCCC-DDDD' });
    expect(wrongCode.status).toBe(403);
    expect(wrongCode.body.type).toBe('/problems/wrong-mfa-code');
    await route.send(app, account, 'not-the-password').expect(403);
    expectLimited(await route.send(app, account, account.user.password));
  });

  it('a right answer resets the client’s count, as a login does', async () => {
    const app = await start({ LOGIN_MAX_FAILURES: '3' });
    const account = await anAccount(app, false);
    const route = ROUTES.find((r) => r.name === 'POST /me/mfa/totp')!;
    for (let round = 0; round < 3; round += 1) {
      await route.send(app, account, 'not-the-password').expect(403);
      await route.send(app, account, 'not-the-password').expect(403);
      await route.send(app, account, account.user.password).expect(200);
    }
  });

  it('lets at most 2 password checks of one account run at once; a third gets 429 Retry-After: 1 and counts nothing', async () => {
    // Cost 10: each check takes long enough for the requests to overlap.
    const app = await start({ LOGIN_MAX_FAILURES: '4', BCRYPT_COST: '10' });
    const account = await anAccount(app, false);
    const route = ROUTES.find((r) => r.name === 'POST /me/mfa/totp')!;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => route.send(app, account, 'not-the-password')),
    );
    const checked = answers.filter((r) => r.status === 403).length;
    const busy = answers.filter((r) => r.status === 429);
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(2);
    expect(busy).toHaveLength(8 - checked);
    for (const response of busy) {
      expect(response.headers['retry-after']).toBe('1');
      expect(response.body.type).toBe('/problems/too-many-requests');
    }
    // The refused ones took nothing from the allowance: exactly 4 checks in all, then 429.
    for (let i = checked; i < 4; i += 1) {
      await route.send(app, account, 'not-the-password').expect(403);
    }
    expectLimited(await route.send(app, account, 'not-the-password'));
  });
});

describe('changing the address with two-factor login on', () => {
  it('needs a code or a recovery code beside the password', async () => {
    const app = await start({});
    const account = await anAccount(app, true);
    const change = (body: object) =>
      app
        .http()
        .post('/me/email')
        .set('Authorization', bearer(account.tokens.access_token))
        .send({ new_email: `new-${account.user.email}`, ...body });

    const missing = await change({ current_password: account.user.password });
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ field: 'code', pointer: '#/code' }),
    ]);
    const wrong = await change({ current_password: account.user.password, code: '000000' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.type).toBe('/problems/wrong-mfa-code');
    const wrongPassword = await change({
      current_password: 'not-the-password',
      code: account.codes[0],
    });
    expect(wrongPassword.status).toBe(403);
    expect(wrongPassword.body.type).toBe('/problems/wrong-password');
    await change({ current_password: account.user.password, code: account.codes[0] }).expect(202);
    // Each recovery code works once.
    const reused = await change({
      current_password: account.user.password,
      code: account.codes[0],
    });
    expect(reused.status).toBe(403);
    expect(reused.body.type).toBe('/problems/wrong-mfa-code');
  });

  it('takes a code from the app', async () => {
    const app = await start({});
    const user = await signUp(app, aUser());
    const tokens = await logInForTokens(app, user);
    const { body } = await app
      .http()
      .post('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password })
      .expect(200);
    const secret = base32Decode(body.secret as string);
    await app
      .http()
      .post('/me/mfa/totp/confirm')
      .set('Authorization', bearer(tokens.access_token))
      .send({ code: totpCode(secret, Date.now() / 1000) })
      .expect(200);
    await app
      .http()
      .post('/me/email')
      .set('Authorization', bearer(tokens.access_token))
      // The confirming code's step is spent; the next step's code is within the allowed drift.
      .send({
        new_email: `new-${user.email}`,
        current_password: user.password,
        code: totpCode(secret, Date.now() / 1000 + 30),
      })
      .expect(202);
  });

  it('without two-factor login, needs only the password (a code sent anyway is ignored)', async () => {
    const app = await start({});
    const account = await anAccount(app, false);
    const change = (body: object) =>
      app
        .http()
        .post('/me/email')
        .set('Authorization', bearer(account.tokens.access_token))
        .send({ new_email: `new-${account.user.email}`, ...body });
    await change({ current_password: account.user.password }).expect(202);
    await change({ current_password: account.user.password, code: '123456' }).expect(202);
  });
});
