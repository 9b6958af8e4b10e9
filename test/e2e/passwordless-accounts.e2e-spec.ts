import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthService } from '../../src/auth/auth.service.js';
import { ReauthenticationService } from '../../src/auth/reauthentication.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { signUpAdmin } from '../support/admins.js';
import { sample } from '../support/prometheus.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, bearer, logIn, signUp, type TestUser } from '../support/users.factory.js';

const RESET = /Reset your password/;

/**
 * An account made through a provider has no password (issue 25). Until the provider routes exist,
 * the tests make one straight in the store and sign it in through AuthService, as a provider's
 * callback will.
 */
describe('accounts without a password', () => {
  let sink: SmtpSink;
  let app: TestApp;

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    app = await createTestApp({ SMTP_URL: sink.url, METRICS_ENABLED: '1' });
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await sink.close();
  });

  /** An account with no password, and an access token for it. */
  const passwordless = async (): Promise<{ user: TestUser; id: string; token: string }> => {
    const user = aUser();
    const created = await app.app
      .get(UsersService)
      .create({ username: user.username, email: user.email, passwordHash: null });
    const tokens = await app.app
      .get(AuthService)
      .login(created, { ip: '127.0.0.1', userAgent: 'test', requestId: null });
    return { user, id: created.id, token: tokens.access_token };
  };
  const login = (username: string, password: string) =>
    app.http().post('/login').send({ username, password });
  const comparisons = async () =>
    sample(
      (await app.http().get('/metrics').expect(200)).text,
      'password_hash_duration_seconds_count{operation="compare"}',
    ) ?? 0;

  it('answers /login with any password as a wrong one, after the same bcrypt work', async () => {
    const { user } = await passwordless();
    const withPassword = await signUp(app);
    const wrong = await login(withPassword.username, 'not the password').expect(401);

    for (const password of [user.password, 'not the password']) {
      const before = await comparisons();
      const answer = await login(user.username, password).expect(401);
      expect(answer.body).toEqual({ ...wrong.body, request_id: answer.body.request_id });
      expect(answer.headers['content-type']).toBe(wrong.headers['content-type']);
      expect((await comparisons()) - before).toBe(1);
    }
  });

  it('checks no password where a route asks for one: a session signed in by password is no recent sign-in (403)', async () => {
    const { token, id } = await passwordless();
    for (const body of [{}, { current_password: 'anything at all 123' }]) {
      const changed = await app
        .http()
        .post('/me/password')
        .set('Authorization', bearer(token))
        .send({ ...body, new_password: 'A-new-password-9876' })
        .expect(403);
      expect(changed.body.type).toBe('/problems/reauthentication-required');
      const deleted = await app
        .http()
        .delete('/me')
        .set('Authorization', bearer(token))
        .send(body)
        .expect(403);
      expect(deleted.body.type).toBe('/problems/reauthentication-required');
    }

    const account = await app.app.get(UsersService).findById(id);
    expect(app.app.get(ReauthenticationService).hasPassword(account!)).toBe(false);
    // The same account, just signed in through a provider (as its callback does): recent enough.
    const federated = await app.app
      .get(AuthService)
      .login(account!, { ip: '127.0.0.1', userAgent: 'test', requestId: null }, ['fed'], {
        idp: 'acme',
      });
    await app
      .http()
      .delete('/me')
      .set('Authorization', bearer(federated.access_token))
      .send({})
      .expect(204);
  });

  it('shows the account to its owner and to admins as any other', async () => {
    const { user, id, token } = await passwordless();
    const me = await app.http().get('/me').set('Authorization', bearer(token)).expect(200);
    expect(me.body).toMatchObject({ id, username: user.username, email: user.email });
    expect(JSON.stringify(me.body)).not.toMatch(/password/i);

    const admin = await signUpAdmin(app);
    const adminToken = await logIn(app, admin);
    const view = await app
      .http()
      .get(`/admin/users/${id}`)
      .set('Authorization', bearer(adminToken))
      .expect(200);
    expect(view.body).toMatchObject({ id, username: user.username });
    expect(JSON.stringify(view.body)).not.toMatch(/password/i);
  });

  it('lets the owner set a password through /password/forgot, then log in with it', async () => {
    const { user, id, token } = await passwordless();
    await app.http().post('/password/forgot').send({ email: user.email }).expect(202);
    const mail = await sink.waitFor(user.email, RESET);
    const password = 'A-first-password-4711';
    await app
      .http()
      .post('/password/reset')
      .send({ token: mail.token, new_password: password })
      .expect(204);

    await login(user.username, password).expect(200);
    await login(user.username, user.password).expect(401);
    // A reset ends every session, the provider's included.
    await app.http().get('/me').set('Authorization', bearer(token)).expect(401);
    const account = await app.app.get(UsersService).findById(id);
    expect(app.app.get(ReauthenticationService).hasPassword(account!)).toBe(true);
  });
});
