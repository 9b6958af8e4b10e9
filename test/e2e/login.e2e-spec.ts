import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from '../support/jwt.js';
import { sample } from '../support/prometheus.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, signUp, type TestUser } from '../support/users.factory.js';

const INVALID = {
  type: '/problems/invalid-credentials',
  title: 'Invalid credentials',
  status: 401,
  detail: 'Invalid username or password',
  error: 'invalid_grant',
  request_id: expect.any(String),
};

describe('POST /login', () => {
  let app: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    // Metrics on: one test counts the bcrypt comparisons a login makes.
    app = await createTestApp({ METRICS_ENABLED: '1' });
    user = await signUp(app);
  });
  afterAll(() => app.close({ removeData: true }));

  it('takes JSON, ignores an extra email, and answers an uncacheable token response', async () => {
    const response = await app
      .http()
      .post('/login')
      .send({ username: user.username, email: 'ignored@example.com', password: user.password })
      .expect(200);
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
      refresh_token: expect.stringMatching(/^[A-Za-z0-9_-]{43,}$/),
    });
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['pragma']).toBe('no-cache');
  });

  it('takes the OAuth2 password grant as a form (RFC 6749 §4.3.2)', async () => {
    const response = await app
      .http()
      .post('/login')
      .type('form')
      .send({ grant_type: 'password', username: user.username, password: user.password })
      .expect(200);
    expect(response.body.token_type).toBe('bearer');
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('accepts and ignores client credentials and scope, in the form or as HTTP Basic', async () => {
    await app
      .http()
      .post('/login')
      .type('form')
      .set('Authorization', `Basic ${Buffer.from('swagger:ui-secret').toString('base64')}`)
      .send({
        grant_type: 'password',
        username: user.username,
        password: user.password,
        client_id: 'swagger',
        client_secret: 'ui-secret',
        scope: 'read write',
      })
      .expect(200);
  });

  it('refuses another grant type with unsupported_grant_type', async () => {
    const response = await app
      .http()
      .post('/login')
      .type('form')
      .send({ grant_type: 'client_credentials', username: user.username, password: user.password })
      .expect(400);
    expect(response.body).toMatchObject({
      type: '/problems/unsupported-grant-type',
      error: 'unsupported_grant_type',
    });
  });

  it('refuses a form parameter sent twice with invalid_request (RFC 6749 §3.2)', async () => {
    for (const form of [
      `grant_type=password&username=${user.username}&username=other&password=${user.password}`,
      `grant_type=password&grant_type=password&username=${user.username}&password=${user.password}`,
    ]) {
      const response = await app.http().post('/login').type('form').send(form).expect(400);
      expect(response.body).toMatchObject({
        type: '/problems/invalid-request',
        status: 400,
        detail: expect.stringMatching(/^(username|grant_type) was sent more than once\.$/),
        error: 'invalid_request',
      });
    }
    const odd = await app
      .http()
      .post('/login')
      .type('form')
      .send(`${'<b>'.repeat(3)}=1&${'<b>'.repeat(3)}=2&username=${user.username}&password=x`)
      .expect(400);
    expect(odd.body.detail).toBe('A parameter was sent more than once.');
  });

  it('logs in case-insensitively and greets with the display form', async () => {
    const display = aUser({ username: `Mixed_${Date.now().toString(36)}` });
    await signUp(app, display);
    const login = await app
      .http()
      .post('/login')
      .send({ username: display.username.toUpperCase(), password: display.password })
      .expect(200);
    const greeting = await app
      .http()
      .get('/protected')
      .set('Authorization', `Bearer ${login.body.access_token}`)
      .expect(200);
    expect(greeting.body.message).toBe(
      `Hello ${display.username}, welcome to the protected route!`,
    );
  });

  it('answers a wrong password and an unknown user with the same 401', async () => {
    const wrongPassword = await app
      .http()
      .post('/login')
      .send({ username: user.username, password: 'not the password' })
      .expect(401);
    const unknownUser = await app
      .http()
      .post('/login')
      .send({ username: 'nobody_here', password: user.password })
      .expect(401);
    expect(wrongPassword.body).toEqual(INVALID);
    expect(unknownUser.body).toEqual(INVALID);
    expect(wrongPassword.headers['content-type']).toBe(unknownUser.headers['content-type']);
  });

  it('spends one bcrypt comparison on an unknown user, as on a wrong password', async () => {
    // Same status, same body and the same work: timing does not tell which usernames exist.
    const comparisons = async () =>
      sample(
        (await app.http().get('/metrics').expect(200)).text,
        'password_hash_duration_seconds_count{operation="compare"}',
      ) ?? 0;
    const before = await comparisons();
    await app
      .http()
      .post('/login')
      .send({ username: user.username, password: 'not the password' })
      .expect(401);
    const afterWrongPassword = await comparisons();
    await app
      .http()
      .post('/login')
      .send({ username: 'nobody_here', password: user.password })
      .expect(401);
    expect(afterWrongPassword - before).toBe(1);
    expect((await comparisons()) - afterWrongPassword).toBe(1);
  });

  it('never lets a password that differs after byte 72 verify', async () => {
    const base = 'p'.repeat(72);
    const owner = await signUp(app, aUser({ password: base }));
    await app.http().post('/login').send({ username: owner.username, password: base }).expect(200);
    const response = await app
      .http()
      .post('/login')
      .send({ username: owner.username, password: `${base}-and-more` })
      .expect(401);
    expect(response.body).toEqual(INVALID);
  });

  it('answers 422 naming the fields when they are missing', async () => {
    const response = await app
      .http()
      .post('/login')
      .send({ email: 'john@example.com' })
      .expect(422);
    const fields = response.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['username', 'password']));
  });

  it('issues tokens with sub, username, roles, iat, exp (15 min), a unique jti, iss and aud', async () => {
    const [first, second] = await Promise.all(
      [1, 2].map(() =>
        app.http().post('/login').send({ username: user.username, password: user.password }),
      ),
    );
    const a = decodeJwt(first!.body.access_token);
    const b = decodeJwt(second!.body.access_token);
    expect(a.header).toEqual({ alg: 'HS256', typ: 'JWT', kid: expect.any(String) });
    expect(a.payload).toEqual({
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      username: user.username,
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
      sid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      email_verified: false,
      // RFC 8176: a password alone.
      amr: ['pwd'],
      // When the password was checked (OpenID Connect Core §2), kept unchanged by refreshes.
      auth_time: expect.any(Number),
      roles: ['user'],
      iss: 'nest-jwt-auth',
      aud: 'nest-jwt-auth',
    });
    expect((a.payload.exp as number) - (a.payload.iat as number)).toBe(900);
    expect(
      Math.abs((a.payload.auth_time as number) - (a.payload.iat as number)),
    ).toBeLessThanOrEqual(1);
    expect(a.payload.jti).not.toBe(b.payload.jti);
    expect(a.payload.sub).toBe(b.payload.sub);
    // Each login is its own session.
    expect(a.payload.sid).not.toBe(b.payload.sid);
  });
});
