import { describe, expect, it } from '@jest/globals';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, bearer, signUp } from '../support/users.factory.js';

const activityOf = async (app: TestApp, token: string, query = '') =>
  (await app.http().get(`/me/activity${query}`).set('Authorization', bearer(token)).expect(200))
    .body as { events: Record<string, unknown>[]; next_cursor: string | null };

describe('the audit trail', () => {
  it('records every authentication decision, with who, when, where and which request — never a secret', async () => {
    // No reuse interval: the second use of a spent token below is reuse at once (the tolerated
    // kind is in refresh-reuse.e2e-spec.ts).
    const app = await createTestApp({
      LOGIN_MAX_FAILURES: '3',
      REFRESH_REUSE_INTERVAL: '0',
      AUDIT_TOKEN_REFRESHES: 'on',
    });
    try {
      const UA = 'AuditTest/1.0';
      const post = (path: string, id: string, token?: string) => {
        const request = app.http().post(path).set('User-Agent', UA).set('X-Request-Id', id);
        return token ? request.set('Authorization', bearer(token)) : request;
      };
      const user = aUser({ username: `Audited_${Date.now().toString(36)}` });
      const created = await post('/signup', 'req-signup').send(user).expect(201);
      const userId: string = created.body.user.id;
      const login = (password: string, id: string) =>
        post('/login', id).send({ username: user.username, password });

      await login('wrong password', 'req-bad').expect(401);
      const first = (await login(user.password, 'req-ok-1').expect(200)).body;
      const second = (await login(user.password, 'req-ok-2').expect(200)).body;
      const third = (await login(user.password, 'req-ok-3').expect(200)).body;
      await post('/refresh', 'req-refresh')
        .send({ refresh_token: first.refresh_token })
        .expect(200);
      await post('/refresh', 'req-reuse').send({ refresh_token: first.refresh_token }).expect(401);
      const thirdSession = JSON.parse(
        Buffer.from(String(third.access_token).split('.')[1]!, 'base64url').toString(),
      ).sid as string;
      await app
        .http()
        .delete(`/me/sessions/${thirdSession}`)
        .set('Authorization', bearer(second.access_token))
        .set('X-Request-Id', 'req-revoke')
        .expect(204);
      const newPassword = `${user.password}-2`;
      await post('/me/password', 'req-password', second.access_token)
        .send({ current_password: user.password, new_password: newPassword })
        .expect(204);
      const fourth = (await login(newPassword, 'req-ok-4').expect(200)).body;
      await post('/logout', 'req-logout', second.access_token).expect(204);
      await post('/logout/all', 'req-logout-all', fourth.access_token).expect(204);
      for (let i = 0; i < 4; i++) await login('guessing again', `req-guess-${i}`);

      const everything = (await app.app.get(AuditRepository).listForUser(userId, 100)).reverse();
      // Recorded in the same millisecond as the signup, so either may sort first.
      expect(everything.find((event) => event.type === 'email_verification_sent')).toMatchObject({
        requestId: 'req-signup',
      });
      const stored = everything.filter((event) => event.type !== 'email_verification_sent');
      expect(stored.map((event) => [event.type, event.requestId])).toEqual([
        ['signup', 'req-signup'],
        ['login_failed', 'req-bad'],
        ['login_succeeded', 'req-ok-1'],
        ['login_succeeded', 'req-ok-2'],
        ['login_succeeded', 'req-ok-3'],
        ['token_refreshed', 'req-refresh'],
        ['refresh_reuse_detected', 'req-reuse'],
        ['session_revoked', 'req-revoke'],
        ['password_changed', 'req-password'],
        ['login_succeeded', 'req-ok-4'],
        ['logout', 'req-logout'],
        ['logout_all', 'req-logout-all'],
        ['login_failed', 'req-guess-0'],
        ['login_failed', 'req-guess-1'],
        ['login_failed', 'req-guess-2'],
      ]);
      expect(stored.find((event) => event.requestId === 'req-bad')).toMatchObject({
        userId,
        reason: 'bad_password',
        username: user.username.toLowerCase(),
        ip: expect.stringMatching(/127\.0\.0\.1|::1/),
        userAgent: UA,
        at: expect.any(Date),
      });
      expect(stored.find((event) => event.requestId === 'req-revoke')?.sessionId).toBe(
        thirdSession,
      );
      const text = JSON.stringify(stored);
      for (const secret of [user.password, newPassword, first.access_token, first.refresh_token]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('records unknown usernames and limited attempts without a user, and shows them to nobody', async () => {
    const app = await createTestApp({ LOGIN_MAX_FAILURES: '2' });
    try {
      const repository = app.app.get(AuditRepository);
      const appended: string[] = [];
      const original = repository.append.bind(repository);
      repository.append = async (event) => {
        appended.push(
          `${event.type}:${event.reason ?? ''}:${event.username ?? ''}:${event.userId ?? ''}`,
        );
        return original(event);
      };
      for (let i = 0; i < 3; i++) {
        await app.http().post('/login').send({ username: 'Ghost_User', password: 'whatever pw' });
      }
      expect(appended).toEqual([
        'login_failed:unknown_user:ghost_user:',
        'login_failed:unknown_user:ghost_user:',
        'login_limited:account_address:ghost_user:',
      ]);
    } finally {
      await app.close({ removeData: true });
    }
  });
});

describe('GET /me/activity', () => {
  it('shows the caller’s own events, newest first, a page at a time', async () => {
    const app = await createTestApp();
    try {
      const user = await signUp(app);
      const other = await signUp(app);
      await app.http().post('/login').send({ username: other.username, password: other.password });
      await app
        .http()
        .post('/login')
        .send({ username: user.username, password: 'wrong!' })
        .expect(401);
      const tokens = [];
      for (let i = 0; i < 3; i++) {
        tokens.push(
          (
            await app
              .http()
              .post('/login')
              .set('User-Agent', `Device/${i}`)
              .send({ username: user.username, password: user.password })
              .expect(200)
          ).body.access_token as string,
        );
      }
      const token = tokens[2]!;

      const all = await activityOf(app, token);
      expect(all.events.map((event) => event.type).slice(0, 4)).toEqual([
        'login_succeeded',
        'login_succeeded',
        'login_succeeded',
        'login_failed',
      ]);
      // Signup and its verification mail share a millisecond: either may sort first.
      expect(
        all.events
          .map((event) => event.type)
          .slice(4)
          .sort(),
      ).toEqual(['email_verification_sent', 'signup']);
      expect(all.events[0]).toEqual({
        type: 'login_succeeded',
        at: expect.any(String),
        ip: expect.any(String),
        user_agent: 'Device/2',
        session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        reason: null,
        sign_in_method: 'password',
        provider: null,
      });
      expect(all.events[3]).toMatchObject({ type: 'login_failed', reason: 'bad_password' });
      expect(all.next_cursor).toBeNull();

      const page1 = await activityOf(app, token, '?limit=2');
      expect(page1.events.map((e) => e.user_agent)).toEqual(['Device/2', 'Device/1']);
      expect(page1.next_cursor).toEqual(expect.any(String));
      const page2 = await activityOf(app, token, `?limit=2&cursor=${page1.next_cursor}`);
      expect(page2.events.map((e) => e.type)).toEqual(['login_succeeded', 'login_failed']);
      const page3 = await activityOf(app, token, `?limit=2&cursor=${page2.next_cursor}`);
      expect(page3.events.map((e) => e.type).sort()).toEqual(['email_verification_sent', 'signup']);
      expect(page3.next_cursor).toBeNull();
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('refuses a limit over 100 and a cursor it did not give out', async () => {
    const app = await createTestApp();
    try {
      const user = await signUp(app);
      const token = (
        await app.http().post('/login').send({ username: user.username, password: user.password })
      ).body.access_token as string;
      for (const query of [
        '?limit=101',
        '?limit=0',
        '?limit=abc',
        '?cursor=not%20a%20cursor',
        '?cursor=AAAA',
      ]) {
        const response = await app
          .http()
          .get(`/me/activity${query}`)
          .set('Authorization', bearer(token))
          .expect(422);
        expect(response.body.type).toBe('/problems/validation-error');
      }
      await app.http().get('/me/activity').expect(401);
    } finally {
      await app.close({ removeData: true });
    }
  });
});

describe('audit retention', () => {
  it('deletes events older than AUDIT_RETENTION in a periodic job, and keeps the rest', async () => {
    const app = await createTestApp({ AUDIT_RETENTION: '4s' });
    try {
      const repository = app.app.get(AuditRepository);
      const event = {
        type: 'login_failed' as const,
        userId: 'retention-user',
        username: 'someone',
        ip: null,
        userAgent: null,
        requestId: null,
        sessionId: null,
        reason: 'bad_password' as const,
        actorId: null,
        method: null,
        idp: null,
      };
      await repository.append({ ...event, at: new Date(Date.now() - 60_000) });
      await repository.append({ ...event, at: new Date() });
      expect(await repository.listForUser('retention-user', 10)).toHaveLength(2);
      // The job runs every half retention period (2 s here).
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const left = await repository.listForUser('retention-user', 10);
      expect(left).toHaveLength(1);
      expect(Date.now() - left[0]!.at.getTime()).toBeLessThan(4_000);
    } finally {
      await app.close({ removeData: true });
    }
    // Starting an app on a fresh PostgreSQL database, then 2.5 s of waiting: more than Jest's
    // default 5 s on a busy machine.
  }, 15_000);
});
