import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Database } from '../../src/database/database.js';
import { decodeJwt } from '../support/jwt.js';
import { decodeQrSvg } from '../support/qr.js';
import { idOf, signUpAdmin } from '../support/admins.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { useDateClock, type DateClock } from '../support/date-clock.js';
import { base32Decode, totpCode } from '../support/totp.js';
import {
  aUser,
  bearer,
  logInForTokens,
  signUp,
  type TestUser,
  type Tokens,
} from '../support/users.factory.js';

const OAUTH_JSON = 'application/json; charset=utf-8';

describe('the test TOTP reference itself', () => {
  it('gives RFC 6238 Appendix B SHA-1 vectors (last 6 of the 8 digits)', () => {
    const secret = Buffer.from('12345678901234567890', 'ascii');
    expect(totpCode(secret, 59, 8)).toBe('94287082');
    expect(totpCode(secret, 1111111109, 8)).toBe('07081804');
    expect(totpCode(secret, 1111111111, 8)).toBe('14050471');
    expect(totpCode(secret, 1234567890, 8)).toBe('89005924');
    expect(totpCode(secret, 2000000000, 8)).toBe('69279037');
    expect(totpCode(secret, 20000000000, 8)).toBe('65353130');
    expect(totpCode(secret, 59)).toBe('287082');
  });
});

describe('two-factor login with an authenticator app (TOTP)', () => {
  let app: TestApp;
  let clock: DateClock;

  beforeAll(async () => {
    clock = useDateClock();
    app = await createTestApp({ MFA_ISSUER: 'Example Auth' });
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    jest.useRealTimers();
  });

  const codeAt = (secret: string, offsetSteps = 0) =>
    totpCode(base32Decode(secret), clock.now() / 1000 + offsetSteps * 30);
  const me = (tokens: Tokens) =>
    app.http().get('/me').set('Authorization', bearer(tokens.access_token));
  const loginStep1 = (user: TestUser) =>
    app.http().post('/login').send({ username: user.username, password: user.password });
  const loginStep2 = (body: Record<string, string>) =>
    app.http().post('/login/mfa').type('form').send(body);

  /** A user with MFA on: its secret, recovery codes, and the session that enrolled. */
  async function enrolled(): Promise<{
    user: TestUser;
    secret: string;
    recoveryCodes: string[];
    tokens: Tokens;
  }> {
    const user = await signUp(app, aUser());
    const tokens = await logInForTokens(app, user);
    const start = await app
      .http()
      .post('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password })
      .expect(200);
    const secret = start.body.secret as string;
    const confirm = await app
      .http()
      .post('/me/mfa/totp/confirm')
      .set('Authorization', bearer(tokens.access_token))
      .send({ code: codeAt(secret) })
      .expect(200);
    // The next code to use is the following step's: the confirming code's step is spent.
    clock.advance(30);
    return { user, secret, recoveryCodes: confirm.body.recovery_codes as string[], tokens };
  }

  it('enrols: a 160-bit secret, its otpauth URI, the same as a QR code; no-store', async () => {
    const user = await signUp(app, aUser());
    const tokens = await logInForTokens(app, user);
    const wrong = await app
      .http()
      .post('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: 'not-the-password' })
      .expect(403);
    expect(wrong.body.type).toBe('/problems/wrong-password');

    const response = await app
      .http()
      .post('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password })
      .expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const { secret, otpauth_uri: uri, qr_svg: svg } = response.body;
    expect(base32Decode(secret)).toHaveLength(20);
    const parsed = new URL(uri);
    expect(parsed.protocol).toBe('otpauth:');
    expect(parsed.host).toBe('totp');
    expect(decodeURIComponent(parsed.pathname)).toBe(`/Example Auth:${user.username}`);
    expect(parsed.searchParams.get('secret')).toBe(secret);
    expect(parsed.searchParams.get('issuer')).toBe('Example Auth');
    expect(svg).toMatch(/^<svg /);
    // Decoded by an independent QR decoder, the picture holds exactly the URI.
    expect(decodeQrSvg(svg)).toBe(uri);
    // Pending until confirmed: login is unchanged, and /me says off.
    expect((await me(tokens).expect(200)).body.mfa_enabled).toBe(false);
    await loginStep1(user).expect(200);
  });

  it('turns on with a first code: ten recovery codes, every other session ends, 409 to a new enrolment', async () => {
    const user = await signUp(app, aUser());
    const other = await logInForTokens(app, user);
    const tokens = await logInForTokens(app, user);
    const { body } = await app
      .http()
      .post('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password });
    const wrongCode = await app
      .http()
      .post('/me/mfa/totp/confirm')
      .set('Authorization', bearer(tokens.access_token))
      .send({ code: codeAt(body.secret, 3) })
      .expect(403);
    expect(wrongCode.body.type).toBe('/problems/wrong-mfa-code');
    const confirm = await app
      .http()
      .post('/me/mfa/totp/confirm')
      .set('Authorization', bearer(tokens.access_token))
      .send({ code: codeAt(body.secret) })
      .expect(200);
    expect(confirm.headers['cache-control']).toBe('no-store');
    const codes = confirm.body.recovery_codes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);

    await me(other).expect(401);
    expect((await me(tokens).expect(200)).body.mfa_enabled).toBe(true);
    const again = await app
      .http()
      .post('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password })
      .expect(409);
    expect(again.body.type).toBe('/problems/mfa-already-enabled');
  });

  it('asks for the second factor after the right password only, then logs in with a code (amr pwd+otp)', async () => {
    const { user, secret } = await enrolled();
    const wrongPassword = await app
      .http()
      .post('/login')
      .send({ username: user.username, password: 'not-the-password' })
      .expect(401);
    expect(wrongPassword.body.error).toBe('invalid_grant');
    expect(wrongPassword.body.mfa_token).toBeUndefined();

    const step1 = await loginStep1(user).expect(403);
    expect(step1.headers['content-type']).toBe(OAUTH_JSON);
    expect(step1.body).toMatchObject({
      type: '/problems/mfa-required',
      status: 403,
      error: 'mfa_required',
      mfa_token: expect.any(String),
    });
    expect(step1.body.access_token).toBeUndefined();
    expect(step1.body.refresh_token).toBeUndefined();
    // A right password alone is not a successful login: no device cookie yet.
    expect(step1.headers['set-cookie']).toBeUndefined();

    const step2 = await loginStep2({ mfa_token: step1.body.mfa_token, code: codeAt(secret) });
    expect(step2.status).toBe(200);
    expect(step2.headers['cache-control']).toBe('no-store');
    // The completed login is: it sets the device cookie as a password-only login does.
    expect(String(step2.headers['set-cookie'])).toMatch(/^device=.+; .*Path=\/login/);
    const tokens = step2.body as Tokens;
    expect(decodeJwt(tokens.access_token).payload.amr).toEqual(['pwd', 'otp']);
    await me(tokens).expect(200);

    // Refresh asks for no code again, and keeps the session's amr.
    const refreshed = await app
      .http()
      .post('/refresh')
      .send({ refresh_token: tokens.refresh_token })
      .expect(200);
    expect(decodeJwt(refreshed.body.access_token).payload.amr).toEqual(['pwd', 'otp']);
    // A used mfa_token is dead.
    const reused = await loginStep2({ mfa_token: step1.body.mfa_token, code: codeAt(secret) });
    expect(reused.status).toBe(401);
    expect(reused.body).toMatchObject({
      type: '/problems/invalid-mfa-token',
      error: 'invalid_grant',
    });
  });

  it('refuses a code presented again, and a code from two steps ago', async () => {
    const { user, secret } = await enrolled();
    const code = codeAt(secret);
    const first = await loginStep1(user).expect(403);
    await loginStep2({ mfa_token: first.body.mfa_token, code }).expect(200);

    const second = await loginStep1(user).expect(403);
    const replay = await loginStep2({ mfa_token: second.body.mfa_token, code }).expect(401);
    expect(replay.body).toMatchObject({
      type: '/problems/invalid-mfa-code',
      error: 'invalid_grant',
    });

    clock.advance(90);
    const old = await loginStep2({ mfa_token: second.body.mfa_token, code: codeAt(secret, -2) });
    expect(old.status).toBe(401);
    expect(old.body.type).toBe('/problems/invalid-mfa-code');
    // One step of drift is allowed: the previous step's code still works.
    await loginStep2({ mfa_token: second.body.mfa_token, code: codeAt(secret, -1) }).expect(200);
    clock.advance(30);
  });

  it('takes a recovery code once (amr pwd+mfa)', async () => {
    const { user, recoveryCodes } = await enrolled();
    const code = recoveryCodes[3]!;
    const first = await loginStep1(user).expect(403);
    const ok = await app
      .http()
      .post('/login/mfa')
      .send({ mfa_token: first.body.mfa_token, recovery_code: code.toLowerCase() })
      .expect(200);
    expect(decodeJwt(ok.body.access_token).payload.amr).toEqual(['pwd', 'mfa']);

    const second = await loginStep1(user).expect(403);
    const again = await loginStep2({ mfa_token: second.body.mfa_token, recovery_code: code });
    expect(again.status).toBe(401);
    expect(again.body.type).toBe('/problems/invalid-mfa-code');
    await loginStep2({
      mfa_token: second.body.mfa_token,
      recovery_code: recoveryCodes[4]!,
    }).expect(200);
  });

  it('ends an mfa_token at its fifth wrong code', async () => {
    const { user, secret } = await enrolled();
    const step1 = await loginStep1(user).expect(403);
    const token = step1.body.mfa_token as string;
    for (let i = 0; i < 5; i += 1) {
      const wrong = await loginStep2({ mfa_token: token, code: codeAt(secret, 5) });
      expect(wrong.status).toBe(401);
      expect(wrong.body.type).toBe('/problems/invalid-mfa-code');
    }
    const dead = await loginStep2({ mfa_token: token, code: codeAt(secret) }).expect(401);
    expect(dead.body.type).toBe('/problems/invalid-mfa-token');
    for (const garbage of ['nope', 'x'.repeat(5000)]) {
      const response = await loginStep2({ mfa_token: garbage, code: codeAt(secret) });
      expect(response.status).toBe(401);
      expect(response.body.type).toBe('/problems/invalid-mfa-token');
    }
  });

  it('expires an mfa_token after five minutes', async () => {
    const { user, secret } = await enrolled();
    const step1 = await loginStep1(user).expect(403);
    clock.advance(5 * 60 + 1);
    const late = await loginStep2({ mfa_token: step1.body.mfa_token, code: codeAt(secret) });
    expect(late.status).toBe(401);
    expect(late.body.type).toBe('/problems/invalid-mfa-token');
  });

  it('answers a form missing its parameters with invalid_request', async () => {
    const missing = await loginStep2({}).expect(400);
    expect(missing.body).toMatchObject({ error: 'invalid_request' });
    const json = await app.http().post('/login/mfa').send({ mfa_token: 'x' }).expect(422);
    expect(json.headers['content-type']).toBe(OAUTH_JSON);
  });

  it('new recovery codes replace the old set; turning off needs password and code, and ends other sessions', async () => {
    const { user, secret, recoveryCodes, tokens } = await enrolled();
    const other = await (async () => {
      const step1 = await loginStep1(user).expect(403);
      const step2 = await loginStep2({ mfa_token: step1.body.mfa_token, code: codeAt(secret) });
      clock.advance(30);
      return step2.body as Tokens;
    })();
    const fresh = await app
      .http()
      .post('/me/mfa/recovery-codes')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password, code: codeAt(secret) })
      .expect(200);
    clock.advance(30);
    expect(fresh.headers['cache-control']).toBe('no-store');
    const step1 = await loginStep1(user).expect(403);
    await loginStep2({ mfa_token: step1.body.mfa_token, recovery_code: recoveryCodes[0]! }).expect(
      401,
    );

    const wrong = await app
      .http()
      .delete('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password, code: '000000' })
      .expect(403);
    expect(wrong.body.type).toBe('/problems/wrong-mfa-code');
    await app
      .http()
      .delete('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password, code: fresh.body.recovery_codes[0] })
      .expect(204);
    await me(other).expect(401);
    expect((await me(tokens).expect(200)).body.mfa_enabled).toBe(false);
    await loginStep1(user).expect(200);
  });

  it('new recovery codes end every other session, as the docs say', async () => {
    const { user, secret, tokens } = await enrolled();
    const step1 = await loginStep1(user).expect(403);
    const other = (await loginStep2({ mfa_token: step1.body.mfa_token, code: codeAt(secret) }))
      .body as Tokens;
    clock.advance(30);
    await me(other).expect(200);
    await app
      .http()
      .post('/me/mfa/recovery-codes')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password, code: codeAt(secret) })
      .expect(200);
    clock.advance(30);
    await me(other).expect(401);
    await app.http().post('/refresh').send({ refresh_token: other.refresh_token }).expect(401);
    // The caller's own session stays.
    await me(tokens).expect(200);
  });

  it('lets at most five of 30 concurrent wrong codes on one mfa_token be checked', async () => {
    const { user, secret } = await enrolled();
    const step1 = await loginStep1(user).expect(403);
    const token = step1.body.mfa_token as string;
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => loginStep2({ mfa_token: token, code: codeAt(secret, 5) })),
    );
    const checked = answers.filter((r) => r.body.type === '/problems/invalid-mfa-code');
    expect(checked.length).toBeLessThanOrEqual(5);
    for (const answer of answers) {
      expect([401, 429]).toContain(answer.status);
      if (answer.status === 401) {
        expect(['/problems/invalid-mfa-code', '/problems/invalid-mfa-token']).toContain(
          answer.body.type,
        );
      }
    }
    // Spent: the right code no longer completes it.
    const late = await loginStep2({ mfa_token: token, code: codeAt(secret) });
    expect(late.status).toBe(401);
    expect(late.body.type).toBe('/problems/invalid-mfa-token');
  });

  describe('a pending mfa_token ends where the account’s sessions end (issue 23, item 7)', () => {
    /** A user with MFA on and an mfa_token from the right password, not yet used. */
    const pending = async () => {
      const enrolment = await enrolled();
      const step1 = await loginStep1(enrolment.user).expect(403);
      return { ...enrolment, mfaToken: step1.body.mfa_token as string };
    };
    const expectDead = async (mfaToken: string, secret: string) => {
      const late = await loginStep2({ mfa_token: mfaToken, code: codeAt(secret) });
      expect(late.status).toBe(401);
      expect(late.body.type).toBe('/problems/invalid-mfa-token');
    };

    it('at a password change', async () => {
      const { user, secret, tokens, mfaToken } = await pending();
      await app
        .http()
        .post('/me/password')
        .set('Authorization', bearer(tokens.access_token))
        .send({ current_password: user.password, new_password: `${user.password}-changed` })
        .expect(204);
      await expectDead(mfaToken, secret);
    });

    it('at log-out-everywhere', async () => {
      const { secret, tokens, mfaToken } = await pending();
      await app
        .http()
        .post('/logout/all')
        .set('Authorization', bearer(tokens.access_token))
        .expect(204);
      await expectDead(mfaToken, secret);
    });

    it('when an admin disables the account (and after it is enabled again)', async () => {
      const admin = await signUpAdmin(app);
      const adminTokens = await logInForTokens(app, admin);
      const { user, secret, mfaToken } = await pending();
      const id = await idOf(app, user);
      await app
        .http()
        .post(`/admin/users/${id}/disable`)
        .set('Authorization', bearer(adminTokens.access_token))
        .send({ reason: 'investigating' })
        .expect(204);
      await app
        .http()
        .post(`/admin/users/${id}/enable`)
        .set('Authorization', bearer(adminTokens.access_token))
        .expect(204);
      await expectDead(mfaToken, secret);
    });
  });

  it('keeps the secret encrypted at rest: the stored value is not the secret', async () => {
    const { user, secret } = await enrolled();
    const db = app.app.get<Database | undefined>(Database, { strict: false });
    if (!db) throw new Error('needs a SQL store');
    const row = await db
      .selectFrom('mfa_factors')
      .innerJoin('users', 'users.id', 'mfa_factors.user_id')
      .select('mfa_factors.sealed_secret')
      .where('users.username', '=', user.username)
      .executeTakeFirstOrThrow();
    expect(row.sealed_secret).not.toContain(secret);
    expect(row.sealed_secret).not.toContain(base32Decode(secret).toString('base64url'));
    if (app.config.database.kind === 'sqlite') {
      const file = app.config.database.file;
      for (const path of [file, `${file}-wal`]) {
        const bytes = await readFile(path).catch(() => Buffer.alloc(0));
        expect(bytes.includes(Buffer.from(secret))).toBe(false);
      }
      // The key is in its own owner-only file in DATA_DIR, not in the database.
      const { mode } = await import('node:fs').then((fs) =>
        fs.promises.stat(join(app.dataDir, 'mfa-encryption.key')),
      );
      expect(mode & 0o777).toBe(0o600);
    }
  });
});

describe('two-factor login and the login-failure limit', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close({ removeData: true });
    app = undefined;
  });

  it('counts wrong codes like wrong passwords', async () => {
    app = await createTestApp({ LOGIN_MAX_FAILURES: '3' });
    const user = await signUp(app, aUser());
    const tokens = await logInForTokens(app, user);
    const { body } = await app
      .http()
      .post('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password });
    await app
      .http()
      .post('/me/mfa/totp/confirm')
      .set('Authorization', bearer(tokens.access_token))
      .send({ code: totpCode(base32Decode(body.secret), Date.now() / 1000) })
      .expect(200);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const step1 = await app
        .http()
        .post('/login')
        .send({ username: user.username, password: user.password });
      if (step1.status !== 403) {
        statuses.push(step1.status);
        continue;
      }
      const step2 = await app
        .http()
        .post('/login/mfa')
        .send({ mfa_token: step1.body.mfa_token, code: '000000' });
      statuses.push(step2.status);
    }
    expect(statuses).toContain(429);
  });
});

describe('two-factor login: the login limiter is consulted before the code is checked', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close({ removeData: true });
    app = undefined;
  });

  it('refuses a right code with 429 once the client’s failures are spent', async () => {
    app = await createTestApp({ LOGIN_MAX_FAILURES: '3' });
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
    // The right password (one attempt), then two wrong codes: three attempts in all.
    const step1 = await app
      .http()
      .post('/login')
      .send({ username: user.username, password: user.password })
      .expect(403);
    const token = step1.body.mfa_token as string;
    for (let i = 0; i < 2; i += 1) {
      const wrong = await app.http().post('/login/mfa').send({ mfa_token: token, code: '000000' });
      expect(wrong.status).toBe(401);
      expect(wrong.body.type).toBe('/problems/invalid-mfa-code');
    }
    const right = await app
      .http()
      .post('/login/mfa')
      .send({ mfa_token: token, code: totpCode(secret, Date.now() / 1000 + 30) });
    expect(right.status).toBe(429);
    expect(Number(right.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('two-factor login and the admin API', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close({ removeData: true });
    app = undefined;
  });

  /** Enrols `user` (logged in as `tokens`) and answers the secret. */
  async function enrol(target: TestApp, user: TestUser, tokens: Tokens): Promise<string> {
    const { body } = await target
      .http()
      .post('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password })
      .expect(200);
    await target
      .http()
      .post('/me/mfa/totp/confirm')
      .set('Authorization', bearer(tokens.access_token))
      .send({ code: totpCode(base32Decode(body.secret), Date.now() / 1000) })
      .expect(200);
    return body.secret as string;
  }

  it('ADMIN_REQUIRE_MFA=on: admin routes refuse a password-only login, and take one with a code', async () => {
    app = await createTestApp({ ADMIN_REQUIRE_MFA: 'on' });
    const admin = await signUpAdmin(app);
    const passwordOnly = await logInForTokens(app, admin);
    const refused = await app
      .http()
      .get('/admin/users')
      .set('Authorization', bearer(passwordOnly.access_token))
      .expect(403);
    expect(refused.body).toMatchObject({ type: '/problems/forbidden' });
    expect(refused.body.detail).toMatch(/second factor/);
    // Other routes do not care.
    await app.http().get('/me').set('Authorization', bearer(passwordOnly.access_token)).expect(200);

    const secret = await enrol(app, admin, passwordOnly);
    const step1 = await app
      .http()
      .post('/login')
      .send({ username: admin.username, password: admin.password })
      .expect(403);
    const step2 = await app
      .http()
      .post('/login/mfa')
      .send({
        mfa_token: step1.body.mfa_token,
        code: totpCode(base32Decode(secret), Date.now() / 1000 + 30),
      })
      .expect(200);
    await app
      .http()
      .get('/admin/users')
      .set('Authorization', bearer(step2.body.access_token))
      .expect(200);
  });

  it('lets an admin turn a user’s two-factor login off, audited with the admin', async () => {
    app = await createTestApp();
    const admin = await signUpAdmin(app);
    const adminTokens = await logInForTokens(app, admin);
    const user = await signUp(app, aUser());
    const id = await idOf(app, user);
    await enrol(app, user, await logInForTokens(app, user));
    await app
      .http()
      .post('/login')
      .send({ username: user.username, password: user.password })
      .expect(403);

    const asAdmin = (method: 'delete', path: string) =>
      app!.http()[method](path).set('Authorization', bearer(adminTokens.access_token));
    await asAdmin('delete', `/admin/users/${id}/mfa`).expect(204);
    await app
      .http()
      .post('/login')
      .send({ username: user.username, password: user.password })
      .expect(200);
    const again = await asAdmin('delete', `/admin/users/${id}/mfa`).expect(409);
    expect(again.body.type).toBe('/problems/mfa-not-enabled');
    const history = await app
      .http()
      .get(`/admin/audit?user_id=${id}&type=mfa_disabled`)
      .set('Authorization', bearer(adminTokens.access_token))
      .expect(200);
    expect(history.body.events[0]).toMatchObject({ type: 'mfa_disabled', actor_id: admin.id });
    // A user without the admin role may not.
    const userTokens = await logInForTokens(app, user);
    await app
      .http()
      .delete(`/admin/users/${id}/mfa`)
      .set('Authorization', bearer(userTokens.access_token))
      .expect(403);
  });
});

describe('two-factor login and the refresh-token cookie (REFRESH_TOKEN_COOKIE=on)', () => {
  const SPA = 'http://localhost:5173';
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close({ removeData: true });
    app = undefined;
  });

  it('sets the cookie when /login/mfa completes the login, not at mfa_required', async () => {
    app = await createTestApp({
      CORS_ORIGINS: SPA,
      REFRESH_TOKEN_COOKIE: 'on',
      PUBLIC_URL: 'http://localhost:3000',
    });
    const user = await signUp(app, aUser());
    const tokens = await logInForTokens(app, user);
    const { body } = await app
      .http()
      .post('/me/mfa/totp')
      .set('Authorization', bearer(tokens.access_token))
      .send({ current_password: user.password })
      .expect(200);
    await app
      .http()
      .post('/me/mfa/totp/confirm')
      .set('Authorization', bearer(tokens.access_token))
      .send({ code: totpCode(base32Decode(body.secret), Date.now() / 1000) })
      .expect(200);

    const step1 = await app
      .http()
      .post('/login')
      .set('Origin', SPA)
      .send({ username: user.username, password: user.password })
      .expect(403);
    expect(step1.headers['set-cookie']).toBeUndefined();

    const step2 = await app
      .http()
      .post('/login/mfa')
      .set('Origin', SPA)
      .send({
        mfa_token: step1.body.mfa_token,
        code: totpCode(base32Decode(body.secret), Date.now() / 1000 + 30),
      })
      .expect(200);
    // An allowed other origin: the refresh token travels only in the HttpOnly cookie.
    expect(step2.body.refresh_token).toBeUndefined();
    const cookies = (step2.headers['set-cookie'] ?? []) as unknown as string[];
    const refreshCookie = cookies.find((line) => line.startsWith('refresh_token='));
    expect(refreshCookie).toMatch(/HttpOnly/i);
    expect(refreshCookie).toMatch(/SameSite=Strict/i);
    expect(refreshCookie).toMatch(/Path=\/refresh/);
    // …and refreshes this session, keeping its amr.
    const value = /^refresh_token=([^;]*)/.exec(refreshCookie ?? '')?.[1] ?? '';
    const refreshed = await app
      .http()
      .post('/refresh')
      .set('Origin', SPA)
      .set('Cookie', `refresh_token=${value}`)
      .send({})
      .expect(200);
    expect(decodeJwt(refreshed.body.access_token).payload.amr).toEqual(['pwd', 'otp']);
  });
});
