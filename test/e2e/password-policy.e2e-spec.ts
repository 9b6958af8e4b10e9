import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, bearer, logInForTokens, signUp } from '../support/users.factory.js';

describe('password policy', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  it.each(['mypassword', 'password123', 'iloveyou', 'QWERTY123', 'Password1'])(
    'refuses the common password %p at signup, in any case',
    async (password) => {
      const response = await app.http().post('/signup').send(aUser({ password })).expect(422);
      expect(response.body).toMatchObject({ type: '/problems/validation-error' });
      expect(response.body.errors).toEqual([
        {
          field: 'password',
          pointer: '#/password',
          detail: expect.stringMatching(/^password is too common/),
        },
      ]);
    },
  );

  it('refuses a password equal to the username or the email, in any case', async () => {
    const user = aUser();
    for (const password of [user.username, user.email.toUpperCase()]) {
      const response = await app
        .http()
        .post('/signup')
        .send({ ...user, password })
        .expect(422);
      expect(response.body.errors[0].detail).toBe('password must not be your username or email.');
    }
  });

  it('applies to a new password too', async () => {
    const user = await signUp(app);
    const tokens = await logInForTokens(app, user);
    for (const newPassword of ['letmein123', user.email]) {
      const response = await app
        .http()
        .post('/me/password')
        .set('Authorization', bearer(tokens.access_token))
        .send({ current_password: user.password, new_password: newPassword })
        .expect(422);
      expect(response.body.errors[0].field).toBe('new_password');
    }
  });

  it('takes a strong password', async () => {
    await app
      .http()
      .post('/signup')
      .send(aUser({ password: 'correct-horse-battery-staple' }))
      .expect(201);
  });
});

describe('PASSWORD_DENYLIST=off', () => {
  it('lets common passwords through (for clients that replay the tutorial), still not the username', async () => {
    const app = await createTestApp({ PASSWORD_DENYLIST: 'off' });
    try {
      await app
        .http()
        .post('/signup')
        .send(aUser({ password: 'mypassword' }))
        .expect(201);
      const user = aUser();
      await app
        .http()
        .post('/signup')
        .send({ ...user, password: user.username })
        .expect(422);
    } finally {
      await app.close({ removeData: true });
    }
  });
});
