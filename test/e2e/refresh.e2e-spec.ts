import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hashRefreshToken } from '../../src/sessions/refresh-token.js';
import { Database } from '../../src/database/database.js';
import { decodeJwt } from '../support/jwt.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { bearer, logInForTokens, signUp, type Tokens } from '../support/users.factory.js';

const INVALID_REFRESH = {
  type: '/problems/invalid-refresh-token',
  title: 'Invalid refresh token',
  status: 401,
  detail: 'Invalid refresh token',
  error: 'invalid_grant',
  request_id: expect.any(String),
};

describe('POST /refresh', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  const refresh = (refreshToken: string) =>
    app.http().post('/refresh').send({ refresh_token: refreshToken });
  const protectedWith = (tokens: Tokens) =>
    app.http().get('/protected').set('Authorization', bearer(tokens.access_token));

  it('rotates: a new access token and a new refresh token; the old one is spent', async () => {
    const login = await logInForTokens(app, await signUp(app));
    const response = await refresh(login.refresh_token).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
      refresh_token: expect.any(String),
    });
    expect(response.body.refresh_token).not.toBe(login.refresh_token);
    expect(response.body.access_token).not.toBe(login.access_token);
    // Same session, same user.
    const before = decodeJwt(login.access_token).payload;
    const after = decodeJwt(response.body.access_token).payload;
    expect(after).toMatchObject({ sub: before.sub, sid: before.sid });
    await protectedWith(response.body).expect(200);
  });

  it('takes the OAuth2 refresh grant as a form, ignoring client credentials and scope', async () => {
    const login = await logInForTokens(app, await signUp(app));
    await app
      .http()
      .post('/refresh')
      .type('form')
      .set('Authorization', `Basic ${Buffer.from('client:secret').toString('base64')}`)
      .send({
        grant_type: 'refresh_token',
        refresh_token: login.refresh_token,
        client_id: 'client',
        scope: 'anything',
      })
      .expect(200);
  });

  it('refuses another grant type with unsupported_grant_type', async () => {
    const response = await app
      .http()
      .post('/refresh')
      .type('form')
      .send({ grant_type: 'password', refresh_token: 'x' })
      .expect(400);
    expect(response.body).toMatchObject({ error: 'unsupported_grant_type' });
  });

  it('refuses a refresh token sent twice in the form with invalid_request', async () => {
    const response = await app
      .http()
      .post('/refresh')
      .type('form')
      .send('grant_type=refresh_token&refresh_token=a&refresh_token=b')
      .expect(400);
    expect(response.body).toMatchObject({
      type: '/problems/invalid-request',
      detail: 'refresh_token was sent more than once.',
      error: 'invalid_request',
    });
  });

  it('answers 422 without a refresh token and 401 for an unknown one', async () => {
    await app.http().post('/refresh').send({}).expect(422);
    const response = await refresh('not-a-token-we-issued').expect(401);
    expect(response.body).toEqual(INVALID_REFRESH);
  });

  // Reuse detection and the reuse interval: refresh-reuse.e2e-spec.ts.

  it('refuses an expired refresh token', async () => {
    const login = await logInForTokens(app, await signUp(app));
    const db = app.app.get(Database);
    await db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('token_hash', '=', hashRefreshToken(login.refresh_token))
      .execute();
    await refresh(login.refresh_token).expect(401);
  });

  it('refuses a refresh for a disabled user, and for a deleted one', async () => {
    const db = app.app.get(Database);
    const disabled = await signUp(app);
    const disabledTokens = await logInForTokens(app, disabled);
    await db
      .updateTable('users')
      .set({ disabled_at: new Date().toISOString() })
      .where('username', '=', disabled.username)
      .execute();
    await refresh(disabledTokens.refresh_token).expect(401);
    // And a disabled user cannot log in again either.
    await app
      .http()
      .post('/login')
      .send({ username: disabled.username, password: disabled.password })
      .expect(401);

    const deleted = await signUp(app);
    const deletedTokens = await logInForTokens(app, deleted);
    await db.deleteFrom('users').where('username', '=', deleted.username).execute();
    await refresh(deletedTokens.refresh_token).expect(401);
  });
});
