import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, bearer, logInForTokens, signUp } from '../support/users.factory.js';

describe('account (/me)', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  const as = (accessToken: string) => ({
    get: (path: string) => app.http().get(path).set('Authorization', bearer(accessToken)),
    post: (path: string) => app.http().post(path).set('Authorization', bearer(accessToken)),
    delete: (path: string) => app.http().delete(path).set('Authorization', bearer(accessToken)),
  });
  const refresh = (refreshToken: string) =>
    app.http().post('/refresh').send({ refresh_token: refreshToken });
  const login = (username: string, password: string) =>
    app.http().post('/login').send({ username, password });

  describe('GET /me', () => {
    it('answers the caller’s account, never a hash or a token', async () => {
      const user = await signUp(app);
      const tokens = await logInForTokens(app, user);
      const response = await as(tokens.access_token).get('/me').expect(200);
      expect(response.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username: user.username,
        email: user.email,
        created_at: expect.any(String),
        email_verified: false,
        mfa_enabled: false,
        roles: ['user'],
        sign_in_methods: ['password'],
      });
      const text = JSON.stringify(response.body);
      expect(text).not.toMatch(/\$2[aby]\$/);
      expect(text).not.toContain(tokens.refresh_token);
    });

    it('needs a token', async () => {
      await app.http().get('/me').expect(401);
    });
  });

  describe('POST /me/password', () => {
    it('changes the password, keeps this session and ends every other one', async () => {
      const user = await signUp(app);
      const mine = await logInForTokens(app, user);
      const other = await logInForTokens(app, user);
      const newPassword = `${user.password}-changed`;

      await as(mine.access_token)
        .post('/me/password')
        .send({ current_password: user.password, new_password: newPassword })
        .expect(204);

      // The other session: access token refused at once, refresh token 401.
      const refused = await as(other.access_token).get('/protected').expect(401);
      expect(refused.body.type).toBe('/problems/token-revoked');
      await refresh(other.refresh_token).expect(401);

      // This session goes on.
      await as(mine.access_token).get('/protected').expect(200);
      const rotated = await refresh(mine.refresh_token).expect(200);
      await as(rotated.body.access_token).get('/me').expect(200);

      // The old password stops working; the new one works.
      await login(user.username, user.password).expect(401);
      await login(user.username, newPassword).expect(200);
    });

    it('answers 403 when the current password is wrong, and changes nothing', async () => {
      const user = await signUp(app);
      const tokens = await logInForTokens(app, user);
      const response = await as(tokens.access_token)
        .post('/me/password')
        .send({ current_password: 'not my password', new_password: 'a brand new password' })
        .expect(403);
      expect(response.body).toMatchObject({
        type: '/problems/wrong-password',
        detail: 'Current password is incorrect',
      });
      await login(user.username, user.password).expect(200);
    });

    it('holds the new password to the signup rules', async () => {
      const user = await signUp(app);
      const tokens = await logInForTokens(app, user);
      for (const newPassword of ['short', 'x'.repeat(73), user.password]) {
        const response = await as(tokens.access_token)
          .post('/me/password')
          .send({ current_password: user.password, new_password: newPassword })
          .expect(422);
        expect(response.body.errors[0].field).toBe('new_password');
      }
      await login(user.username, user.password).expect(200);
    });
  });

  describe('sessions', () => {
    it('GET /me/sessions lists live sessions with when, where and what, marking this one', async () => {
      const user = await signUp(app);
      const phone = await app
        .http()
        .post('/login')
        .set('User-Agent', 'PhoneApp/1.0')
        .send({ username: user.username, password: user.password })
        .expect(200);
      const laptop = await app
        .http()
        .post('/login')
        .set('User-Agent', 'Laptop/2.0')
        .send({ username: user.username, password: user.password })
        .expect(200);
      const ended = await logInForTokens(app, user);
      await as(ended.access_token).post('/logout').expect(204);

      const response = await as(laptop.body.access_token).get('/me/sessions').expect(200);
      expect(response.body.sessions).toHaveLength(2);
      const [newest, oldest] = response.body.sessions;
      expect(newest).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        created_at: expect.any(String),
        last_used_at: expect.any(String),
        expires_at: expect.any(String),
        user_agent: 'Laptop/2.0',
        ip: expect.stringMatching(/127\.0\.0\.1|::1/),
        current: true,
        sign_in_method: 'password',
      });
      expect(oldest).toMatchObject({ user_agent: 'PhoneApp/1.0', current: false });

      // A refresh moves last_used_at and records where it came from.
      await app
        .http()
        .post('/refresh')
        .set('User-Agent', 'PhoneApp/1.1')
        .send({ refresh_token: phone.body.refresh_token })
        .expect(200);
      const after = await as(laptop.body.access_token).get('/me/sessions').expect(200);
      const phoneSession = after.body.sessions.find((s: { id: string }) => s.id === oldest.id);
      expect(phoneSession.user_agent).toBe('PhoneApp/1.1');
      expect(Date.parse(phoneSession.last_used_at)).toBeGreaterThanOrEqual(
        Date.parse(oldest.last_used_at),
      );
    });

    it('DELETE /me/sessions/{id} ends that session: its tokens are refused at once', async () => {
      const user = await signUp(app);
      const keep = await logInForTokens(app, user);
      const lost = await logInForTokens(app, user);
      const list = await as(keep.access_token).get('/me/sessions').expect(200);
      const target = list.body.sessions.find((s: { current: boolean }) => !s.current);

      await as(keep.access_token).delete(`/me/sessions/${target.id}`).expect(204);
      await as(lost.access_token).get('/protected').expect(401);
      await refresh(lost.refresh_token).expect(401);
      await as(keep.access_token).get('/protected').expect(200);
      const remaining = await as(keep.access_token).get('/me/sessions').expect(200);
      expect(remaining.body.sessions.map((s: { id: string }) => s.id)).not.toContain(target.id);

      // Ending it again, or a session that does not exist, is a 404.
      await as(keep.access_token).delete(`/me/sessions/${target.id}`).expect(404);
      await as(keep.access_token).delete('/me/sessions/no-such-session').expect(404);
    });

    it('will not end another user’s session', async () => {
      const victim = await logInForTokens(app, await signUp(app));
      const victimSessions = await as(victim.access_token).get('/me/sessions').expect(200);
      const attacker = await logInForTokens(app, await signUp(app, aUser()));
      const response = await as(attacker.access_token)
        .delete(`/me/sessions/${victimSessions.body.sessions[0].id}`)
        .expect(404);
      expect(response.body.type).toBe('/problems/not-found');
      await as(victim.access_token).get('/protected').expect(200);
    });
  });
});
