import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { hashRefreshToken } from '../../src/sessions/refresh-token.js';
import { Database } from '../../src/database/database.js';
import { decodeJwt } from '../support/jwt.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { bearer, logInForTokens, signUp, type Tokens } from '../support/users.factory.js';

// Each test starts its own app (a fresh PostgreSQL database in the CI's second e2e run) and some
// wait out a window: more than Jest's 5 s on a busy machine.
jest.setTimeout(30_000);

const INVALID_REFRESH = {
  type: '/problems/invalid-refresh-token',
  status: 401,
  error: 'invalid_grant',
};

const refreshWith = (app: TestApp, refreshToken: string) =>
  app.http().post('/refresh').send({ refresh_token: refreshToken });
const protectedWith = (app: TestApp, accessToken: string) =>
  app.http().get('/protected').set('Authorization', bearer(accessToken));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('REFRESH_REUSE_INTERVAL (default 10 s): a spent token presented again soon after', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));
  const refresh = (token: string) => refreshWith(app, token);

  it('answers 20 concurrent refreshes of one token with 200 and one same refresh token, which works after', async () => {
    const user = await signUp(app);
    const login = await logInForTokens(app, user);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => refresh(login.refresh_token)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(20).fill(200));
    const refreshTokens = new Set(responses.map((r) => r.body.refresh_token as string));
    expect(refreshTokens.size).toBe(1);
    const [current] = [...refreshTokens];
    expect(current).toMatch(/^[A-Za-z0-9_-]{92}$/);
    expect(current).not.toBe(login.refresh_token);
    for (const response of responses) {
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toMatchObject({ token_type: 'bearer', expires_in: 900 });
    }

    // One session, still alive: every access token answered works, nothing was forked.
    const sid = decodeJwt(login.access_token).payload.sid;
    for (const response of responses) {
      expect(decodeJwt(response.body.access_token as string).payload.sid).toBe(sid);
    }
    await protectedWith(app, responses[19]!.body.access_token as string).expect(200);
    const sessions = await app
      .http()
      .get('/me/sessions')
      .set('Authorization', bearer(login.access_token))
      .expect(200);
    expect(sessions.body.sessions).toHaveLength(1);

    // The answered token rotates as usual.
    const next = (await refresh(current!).expect(200)).body as Tokens;
    expect(next.refresh_token).not.toBe(current);
    await protectedWith(app, next.access_token).expect(200);
  });

  it('answers a retry with the session’s current token when the client already moved on', async () => {
    const login = await logInForTokens(app, await signUp(app));
    const first = (await refresh(login.refresh_token).expect(200)).body as Tokens;
    const second = (await refresh(first.refresh_token).expect(200)).body as Tokens;

    // The answer to the first refresh was lost; the client retries with the token it had.
    const retried = await refresh(login.refresh_token).expect(200);
    expect(retried.body.refresh_token).toBe(second.refresh_token);
    await protectedWith(app, retried.body.access_token as string).expect(200);
    // Nobody was logged out: the newest token still rotates.
    await refresh(second.refresh_token).expect(200);
  });

  it('never revives a token of an ended session', async () => {
    const login = await logInForTokens(app, await signUp(app));
    const rotated = (await refresh(login.refresh_token).expect(200)).body as Tokens;
    await app.http().post('/logout').set('Authorization', bearer(rotated.access_token)).expect(204);
    expect((await refresh(login.refresh_token).expect(401)).body).toMatchObject(INVALID_REFRESH);
    await refresh(rotated.refresh_token).expect(401);
  });

  it('refuses, and ends the session, for a disabled account', async () => {
    const user = await signUp(app);
    const login = await logInForTokens(app, user);
    const rotated = (await refresh(login.refresh_token).expect(200)).body as Tokens;
    await app.app
      .get(Database)
      .updateTable('users')
      .set({ disabled_at: new Date().toISOString() })
      .where('username', '=', user.username)
      .execute();
    await refresh(login.refresh_token).expect(401);
    await protectedWith(app, rotated.access_token).expect(401);
  });

  it('records a tolerated reuse in the audit trail; a plain rotation only with AUDIT_TOKEN_REFRESHES=on', async () => {
    const user = await signUp(app);
    const login = await logInForTokens(app, user);
    await refresh(login.refresh_token).expect(200);
    await refresh(login.refresh_token).expect(200);
    const userId = decodeJwt(login.access_token).payload.sub as string;
    const events = await app.app.get(AuditRepository).listForUser(userId, 10);
    expect(events.map((event) => event.type).sort()).toEqual(
      ['email_verification_sent', 'login_succeeded', 'refresh_reuse_tolerated', 'signup'].sort(),
    );
  });

  it('keeps only the hash of a session’s current refresh token at rest, and no spent token at all', async () => {
    const login = await logInForTokens(app, await signUp(app));
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => refresh(login.refresh_token)),
    );
    const current = answers[0]!.body.refresh_token as string;
    const tokens = [login.refresh_token, ...answers.map((a) => a.body.refresh_token as string)];
    const db = app.app.get(Database);
    const stored = JSON.stringify([
      await db.selectFrom('refresh_tokens').selectAll().execute(),
      await db.selectFrom('sessions').selectAll().execute(),
      await db.selectFrom('audit_events').selectAll().execute(),
    ]);
    for (const token of tokens) expect(stored).not.toContain(token);
    expect(stored).toContain(hashRefreshToken(current));
    expect(stored).not.toContain(hashRefreshToken(login.refresh_token));
  });

  it('refuses a made-up token naming a real session, and ends nothing', async () => {
    const login = await logInForTokens(app, await signUp(app));
    const rotated = (await refresh(login.refresh_token).expect(200)).body as Tokens;
    // Someone who read the session id (it is in every access token) invents an older generation.
    const forged = Buffer.from(login.refresh_token, 'base64url');
    randomBytes(48).copy(forged, 21); // a secret and a tag of their own
    const answer = await refresh(forged.toString('base64url')).expect(401);
    expect(answer.body).toMatchObject(INVALID_REFRESH);
    // A well-formed token whose tag is not ours, for a generation yet to come, neither.
    const future = Buffer.from(rotated.refresh_token, 'base64url');
    future.writeUInt32BE(5, 17);
    await refresh(future.toString('base64url')).expect(401);

    await protectedWith(app, rotated.access_token).expect(200);
    await refresh(rotated.refresh_token).expect(200);
  });

  it('ends the session when a token of ours comes back from more than 64 rotations ago', async () => {
    const login = await logInForTokens(app, await signUp(app));
    let current = login;
    for (let i = 0; i < 66; i++) current = (await refresh(current.refresh_token).expect(200)).body;
    // Within REFRESH_REUSE_INTERVAL, but too far back to be a retry: reuse.
    await refresh(login.refresh_token).expect(401);
    await refresh(current.refresh_token).expect(401);
    await protectedWith(app, current.access_token).expect(401);
  });
});

describe('after REFRESH_REUSE_INTERVAL', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close({ removeData: true })));
  });
  const start = async (env: Record<string, string>) => {
    const app = await createTestApp(env);
    apps.push(app);
    return app;
  };

  it('treats a spent token as reuse: the whole session ends, descendants included, 401 invalid_grant', async () => {
    // 2 s: long enough for the in-window retry below even on a busy machine.
    const app = await start({ REFRESH_REUSE_INTERVAL: '2' });
    const login = await logInForTokens(app, await signUp(app));
    const first = (await refreshWith(app, login.refresh_token).expect(200)).body as Tokens;
    const second = (await refreshWith(app, first.refresh_token).expect(200)).body as Tokens;
    // Within the interval, the retry is answered...
    await refreshWith(app, first.refresh_token).expect(200);
    await sleep(2_300);

    // ...after it, an attacker replaying the first spent token ends everything.
    const replay = await refreshWith(app, login.refresh_token).expect(401);
    expect(replay.body).toMatchObject({ ...INVALID_REFRESH, detail: 'Invalid refresh token' });
    await refreshWith(app, second.refresh_token).expect(401);
    const refused = await protectedWith(app, second.access_token).expect(401);
    expect(refused.body).toMatchObject({ type: '/problems/token-revoked' });
    await protectedWith(app, login.access_token).expect(401);
    // And the window does not bring it back.
    await refreshWith(app, first.refresh_token).expect(401);
  });

  it('with REFRESH_REUSE_INTERVAL=0, lets one of two concurrent refreshes win and ends the family', async () => {
    const app = await start({ REFRESH_REUSE_INTERVAL: '0' });
    const login = await logInForTokens(app, await signUp(app));
    const [a, b] = await Promise.all([
      refreshWith(app, login.refresh_token),
      refreshWith(app, login.refresh_token),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const winner = (a.status === 200 ? a.body : b.body) as Tokens;
    await refreshWith(app, winner.refresh_token).expect(401);
  });
});
