import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * The three requests of ../shared/reference/seed-flows.md, byte for byte. Their password,
 * `mypassword`, is one of the commonest: replaying them needs PASSWORD_DENYLIST=off.
 */
describe("the tutorial's client flows", () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ PASSWORD_DENYLIST: 'off' });
  });
  afterAll(() => app.close({ removeData: true }));

  it('signs up, logs in with the email in the body, and calls /protected', async () => {
    const signup = await app
      .http()
      .post('/signup')
      .set('Content-Type', 'application/json')
      .send('{"username": "john", "email": "john@example.com", "password": "mypassword"}')
      .expect(201);
    expect(signup.body.message).toBe('User registered successfully');

    const login = await app
      .http()
      .post('/login')
      .set('Content-Type', 'application/json')
      .send('{"username": "john", "email": "john@example.com", "password": "mypassword"}')
      .expect(200);
    expect(login.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
      refresh_token: expect.any(String),
    });

    const greeting = await app
      .http()
      .get('/protected')
      .set('Authorization', `Bearer ${login.body.access_token}`)
      .expect(200);
    expect(greeting.body).toEqual({ message: 'Hello john, welcome to the protected route!' });
  });
});

describe("the tutorial's password, by default", () => {
  it('is refused with 422: it is among the commonest passwords', async () => {
    const app = await createTestApp();
    try {
      const response = await app
        .http()
        .post('/signup')
        .set('Content-Type', 'application/json')
        .send('{"username": "john", "email": "john@example.com", "password": "mypassword"}')
        .expect(422);
      expect(response.body.detail).toMatch(/password is too common/);
      expect(response.body.errors).toEqual([expect.objectContaining({ field: 'password' })]);
    } finally {
      await app.close({ removeData: true });
    }
  });
});
