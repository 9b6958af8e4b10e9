import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { bearer, logInForTokens, signUp } from '../support/users.factory.js';

describe('logout', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  const greet = (accessToken: string) =>
    app.http().get('/protected').set('Authorization', bearer(accessToken));
  const refresh = (refreshToken: string) =>
    app.http().post('/refresh').send({ refresh_token: refreshToken });

  it('POST /logout refuses that access token at once and kills its refresh token', async () => {
    const tokens = await logInForTokens(app, await signUp(app));
    await greet(tokens.access_token).expect(200);
    await app.http().post('/logout').set('Authorization', bearer(tokens.access_token)).expect(204);

    const refused = await greet(tokens.access_token).expect(401);
    expect(refused.body).toMatchObject({
      type: '/problems/token-revoked',
      detail: 'Token revoked',
    });
    expect(refused.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
    await refresh(tokens.refresh_token).expect(401);
    // Logging out twice is refused: the token is no longer valid.
    await app.http().post('/logout').set('Authorization', bearer(tokens.access_token)).expect(401);
  });

  it('leaves the user’s other sessions alone', async () => {
    const user = await signUp(app);
    const phone = await logInForTokens(app, user);
    const laptop = await logInForTokens(app, user);
    await app.http().post('/logout').set('Authorization', bearer(phone.access_token)).expect(204);
    await greet(laptop.access_token).expect(200);
    await refresh(laptop.refresh_token).expect(200);
  });

  it('also ends the session of a refresh token sent in the body, when it is the caller’s', async () => {
    const user = await signUp(app);
    const a = await logInForTokens(app, user);
    const b = await logInForTokens(app, user);
    await app
      .http()
      .post('/logout')
      .set('Authorization', bearer(a.access_token))
      .send({ refresh_token: b.refresh_token })
      .expect(204);
    await greet(b.access_token).expect(401);
    await refresh(b.refresh_token).expect(401);
  });

  it('ignores another user’s refresh token in the body', async () => {
    const me = await logInForTokens(app, await signUp(app));
    const someoneElse = await logInForTokens(app, await signUp(app));
    await app
      .http()
      .post('/logout')
      .set('Authorization', bearer(me.access_token))
      .send({ refresh_token: someoneElse.refresh_token })
      .expect(204);
    await greet(someoneElse.access_token).expect(200);
    await refresh(someoneElse.refresh_token).expect(200);
  });

  it('accepts an empty JSON object as the body', async () => {
    const tokens = await logInForTokens(app, await signUp(app));
    await app
      .http()
      .post('/logout')
      .set('Authorization', bearer(tokens.access_token))
      .send({})
      .expect(204);
  });

  it('needs a token', async () => {
    const response = await app.http().post('/logout').expect(401);
    expect(response.body.detail).toBe('Not authenticated');
  });

  it('POST /logout/all ends every session of the user, and only theirs', async () => {
    const user = await signUp(app);
    const sessions = await Promise.all([1, 2, 3].map(() => logInForTokens(app, user)));
    const bystander = await logInForTokens(app, await signUp(app));

    await app
      .http()
      .post('/logout/all')
      .set('Authorization', bearer(sessions[0]!.access_token))
      .expect(204);
    for (const tokens of sessions) {
      await greet(tokens.access_token).expect(401);
      await refresh(tokens.refresh_token).expect(401);
    }
    await greet(bystander.access_token).expect(200);
    // Logging in again starts a fresh, working session.
    await greet((await logInForTokens(app, user)).access_token).expect(200);
  });
});
