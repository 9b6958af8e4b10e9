import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, signUp } from '../support/users.factory.js';

describe('POST /signup', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  it('answers 201 with the message and the public view of the user', async () => {
    const user = aUser();
    const response = await app.http().post('/signup').send(user).expect(201);
    expect(response.body).toEqual({
      message: 'User registered successfully',
      user: {
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        username: user.username,
        email: user.email,
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        email_verified: false,
      },
    });
    expect(JSON.stringify(response.body)).not.toContain(user.password);
    expect(JSON.stringify(response.body)).not.toMatch(/\$2[aby]\$/);
  });

  it('answers 409 "Username already taken" for a taken username', async () => {
    const first = await signUp(app);
    const response = await app
      .http()
      .post('/signup')
      .send(aUser({ username: first.username }))
      .expect(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toEqual({
      type: '/problems/username-taken',
      title: 'Username taken',
      status: 409,
      detail: 'Username already taken',
      request_id: expect.any(String),
    });
  });

  it('treats usernames case-insensitively after NFKC and keeps the display form', async () => {
    const suffix = Date.now().toString(36);
    const display = `John_${suffix}`;
    await signUp(app, aUser({ username: display }));
    for (const variant of [display.toLowerCase(), display.toUpperCase()]) {
      const response = await app
        .http()
        .post('/signup')
        .send(aUser({ username: variant }))
        .expect(409);
      expect(response.body.detail).toBe('Username already taken');
    }
    // Full-width letters normalise (NFKC) to the same ASCII name.
    const fullWidth = display.replace(/[A-Za-z0-9]/g, (c) =>
      String.fromCharCode(c.charCodeAt(0) + 0xfee0),
    );
    await app
      .http()
      .post('/signup')
      .send(aUser({ username: fullWidth }))
      .expect(409);
  });

  it('answers 409 "Email already registered" for a taken email, in any case', async () => {
    const first = await signUp(app);
    const response = await app
      .http()
      .post('/signup')
      .send(aUser({ email: first.email.toUpperCase() }))
      .expect(409);
    expect(response.body).toMatchObject({
      type: '/problems/email-taken',
      status: 409,
      detail: 'Email already registered',
    });
  });

  it('creates exactly one account when the same username signs up concurrently', async () => {
    const username = aUser().username;
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => app.http().post('/signup').send(aUser({ username }))),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(9);
  });

  describe('validation (422 problem details naming each field)', () => {
    it.each([
      ['too short', 'jo'],
      ['too long', 'j'.repeat(33)],
      ['a space', 'john doe'],
      ['a symbol', 'john!'],
      ['a non-ASCII letter', 'jöhn'],
      ['Cyrillic look-alikes of Latin letters', '\u0458\u043ehn'],
    ])('refuses a username with %s', async (_case, username) => {
      const response = await app.http().post('/signup').send(aUser({ username })).expect(422);
      expect(response.body.errors).toEqual([
        expect.objectContaining({ field: 'username', pointer: '#/username' }),
      ]);
    });

    it('refuses a password shorter than 8 characters', async () => {
      const response = await app
        .http()
        .post('/signup')
        .send(aUser({ password: 'short12' }))
        .expect(422);
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          field: 'password',
          detail: 'password must be at least 8 characters long.',
        }),
      ]);
    });

    it('refuses a password over 72 bytes rather than truncating it, counting UTF-8 bytes', async () => {
      for (const password of ['a'.repeat(73), 'é'.repeat(37)]) {
        const response = await app.http().post('/signup').send(aUser({ password })).expect(422);
        expect(response.body.errors[0]).toMatchObject({ field: 'password' });
        expect(response.body.errors[0].detail).toMatch(/72 bytes/);
      }
      await app
        .http()
        .post('/signup')
        .send(aUser({ password: 'a'.repeat(72) }))
        .expect(201);
    });

    it('names every failing field at once', async () => {
      const response = await app
        .http()
        .post('/signup')
        .send({ username: 'x', email: 'not-an-email', password: 1234 })
        .expect(422);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({
        type: '/problems/validation-error',
        title: 'Validation failed',
        status: 422,
      });
      const fields = new Set(response.body.errors.map((e: { field: string }) => e.field));
      expect(fields).toEqual(new Set(['username', 'email', 'password']));
    });

    it('refuses a missing field', async () => {
      const response = await app
        .http()
        .post('/signup')
        .send({ username: 'someone', password: 'long enough password' })
        .expect(422);
      expect(response.body.errors.map((e: { field: string }) => e.field)).toContain('email');
    });
  });
});
