import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigError } from '../../src/config/config.error.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, bearer, signUp, type TestUser } from '../support/users.factory.js';

const SPA = 'http://localhost:5173';
const OWN = 'http://localhost:3000';
const EVIL = 'http://evil.localhost:5173';

/** REFRESH_TOKEN_TTL's 30 days as Max-Age: the remaining lifetime, a second or two less by now. */
const THIRTY_DAYS = '(2592000|259199[0-9])';

const ORIGIN_NOT_ALLOWED = {
  type: '/problems/origin-not-allowed',
  title: 'Origin not allowed',
  status: 403,
  error: 'invalid_request',
};

/** The Set-Cookie line for `name`, if the response sets it. */
function setCookie(headers: Record<string, unknown>, name: string): string | undefined {
  const lines = headers['set-cookie'];
  const all = Array.isArray(lines) ? (lines as string[]) : [];
  return all.find((line) => line.startsWith(`${name}=`));
}

function cookieValue(line: string | undefined): string {
  return /^[^=]+=([^;]*)/.exec(line ?? '')?.[1] ?? '';
}

describe('CORS_ORIGINS', () => {
  describe('unset', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await createTestApp();
    });
    afterAll(() => app.close({ removeData: true }));

    it('answers no CORS headers, to requests or preflights', async () => {
      const response = await app.http().get('/health').set('Origin', SPA);
      expect(Object.keys(response.headers).filter((h) => h.startsWith('access-control-'))).toEqual(
        [],
      );
      const preflight = await app
        .http()
        .options('/login')
        .set('Origin', SPA)
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  describe('with exact origins', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await createTestApp({ CORS_ORIGINS: `${SPA},https://app.example.com` });
    });
    afterAll(() => app.close({ removeData: true }));

    it('answers a preflight from a listed origin, with credentials, cached', async () => {
      const response = await app
        .http()
        .options('/login')
        .set('Origin', SPA)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'content-type,authorization')
        .expect(204);
      expect(response.headers).toMatchObject({
        'access-control-allow-origin': SPA,
        'access-control-allow-credentials': 'true',
        'access-control-max-age': '600',
        'access-control-allow-headers': 'content-type,authorization',
      });
      expect(response.headers['access-control-allow-methods']).toContain('POST');
      expect(response.headers.vary).toContain('Origin');
    });

    it('lets scripts read WWW-Authenticate, Retry-After and X-Request-Id', async () => {
      const response = await app.http().get('/protected').set('Origin', SPA).expect(401);
      expect(response.headers['access-control-allow-origin']).toBe(SPA);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers['access-control-expose-headers']).toBe(
        'WWW-Authenticate, Retry-After, X-Request-Id',
      );
    });

    it('says nothing to an origin it does not list', async () => {
      const response = await app.http().get('/health').set('Origin', EVIL).expect(200);
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
      const preflight = await app
        .http()
        .options('/login')
        .set('Origin', 'https://app.example.com.evil.test')
        .set('Access-Control-Request-Method', 'POST');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it('* allows any origin, without credentials', async () => {
    const app = await createTestApp({ CORS_ORIGINS: '*' });
    try {
      const response = await app.http().get('/health').set('Origin', EVIL).expect(200);
      expect(response.headers['access-control-allow-origin']).toBe('*');
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('refuses to start with * and REFRESH_TOKEN_COOKIE=on', async () => {
    await expect(createTestApp({ CORS_ORIGINS: '*', REFRESH_TOKEN_COOKIE: 'on' })).rejects.toThrow(
      ConfigError,
    );
  });
});

describe('REFRESH_TOKEN_COOKIE=on', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({
      CORS_ORIGINS: SPA,
      REFRESH_TOKEN_COOKIE: 'on',
      PUBLIC_URL: OWN,
    });
  });
  afterAll(() => app.close({ removeData: true }));

  const logInFrom = (user: TestUser, origin?: string) => {
    const request = app.http().post('/login');
    if (origin) void request.set('Origin', origin);
    return request.send({ username: user.username, password: user.password });
  };

  it('login from a listed origin: the cookie, and no refresh token in the body', async () => {
    const response = await logInFrom(await signUp(app), SPA).expect(200);
    expect(response.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
    });
    const cookie = setCookie(response.headers, 'refresh_token');
    expect(cookie).toMatch(
      new RegExp(
        `^refresh_token=[^;]{20,}; Max-Age=${THIRTY_DAYS}; Path=\\/refresh; HttpOnly; SameSite=Strict$`,
      ),
    );
    // The device cookie is still set: it is the device cookie interceptor's, not ours.
    expect(setCookie(response.headers, 'device')).toBeDefined();
  });

  it('login from our own origin (Swagger UI): the cookie, and the token in the body too', async () => {
    const response = await logInFrom(await signUp(app), OWN).expect(200);
    expect(response.body.refresh_token).toEqual(expect.any(String));
    expect(cookieValue(setCookie(response.headers, 'refresh_token'))).toBe(
      response.body.refresh_token,
    );
  });

  it('login with no Origin (curl, mobile apps): no cookie, the token in the body', async () => {
    const response = await logInFrom(await signUp(app)).expect(200);
    expect(response.body.refresh_token).toEqual(expect.any(String));
    expect(setCookie(response.headers, 'refresh_token')).toBeUndefined();
  });

  it('refreshes with the cookie alone, and rotates it', async () => {
    const login = await logInFrom(await signUp(app), SPA).expect(200);
    const first = cookieValue(setCookie(login.headers, 'refresh_token'));
    const refreshed = await app
      .http()
      .post('/refresh')
      .set('Origin', SPA)
      .set('Cookie', `refresh_token=${first}`)
      .expect(200);
    expect(refreshed.body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 900,
    });
    const second = setCookie(refreshed.headers, 'refresh_token');
    expect(second).toMatch(
      new RegExp(`; Max-Age=${THIRTY_DAYS}; Path=\\/refresh; HttpOnly; SameSite=Strict$`),
    );
    expect(cookieValue(second)).not.toBe(first);
    await app
      .http()
      .get('/protected')
      .set('Authorization', bearer(refreshed.body.access_token as string))
      .expect(200);
  });

  it('a token in the body wins over the cookie', async () => {
    const login = await logInFrom(await signUp(app), OWN).expect(200);
    await app
      .http()
      .post('/refresh')
      .set('Origin', OWN)
      .set('Cookie', 'refresh_token=not-a-token')
      .send({ refresh_token: login.body.refresh_token })
      .expect(200);
  });

  it('the refresh grant at /login from a listed origin also moves the token to the cookie', async () => {
    const user = await signUp(app);
    const own = await logInFrom(user, OWN).expect(200);
    const response = await app
      .http()
      .post('/login')
      .set('Origin', SPA)
      .type('form')
      .send({ grant_type: 'refresh_token', refresh_token: own.body.refresh_token as string })
      .expect(200);
    expect(response.body.refresh_token).toBeUndefined();
    expect(setCookie(response.headers, 'refresh_token')).toContain('Path=/refresh');
  });

  describe('cross-site request forgery', () => {
    let cookie: string;
    beforeAll(async () => {
      const login = await logInFrom(await signUp(app), SPA).expect(200);
      cookie = `refresh_token=${cookieValue(setCookie(login.headers, 'refresh_token'))}`;
    });

    it.each([
      ['no Origin', undefined],
      ['an Origin not allowed', EVIL],
      ['an opaque Origin', 'null'],
    ])('refuses a cookie-authenticated /refresh with %s (403)', async (_, origin) => {
      const request = app.http().post('/refresh').set('Cookie', cookie);
      if (origin) void request.set('Origin', origin);
      const response = await request.expect(403);
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.body).toMatchObject(ORIGIN_NOT_ALLOWED);
      expect(setCookie(response.headers, 'refresh_token')).toBeUndefined();
    });

    it('the cookie refused above is still good from an allowed origin', async () => {
      await app.http().post('/refresh').set('Origin', SPA).set('Cookie', cookie).expect(200);
    });

    it('refuses /login from an Origin not allowed before checking the password', async () => {
      const user = await signUp(app);
      const response = await logInFrom(user, EVIL).expect(403);
      expect(response.body).toMatchObject(ORIGIN_NOT_ALLOWED);
      expect(setCookie(response.headers, 'refresh_token')).toBeUndefined();
      const wrong = await logInFrom({ ...user, password: 'wrong' }, EVIL).expect(403);
      expect(wrong.body).toMatchObject(ORIGIN_NOT_ALLOWED);
    });

    it('refuses /login/mfa from an Origin not allowed', async () => {
      const response = await app
        .http()
        .post('/login/mfa')
        .set('Origin', EVIL)
        .send({ mfa_token: 'x', code: '123456' })
        .expect(403);
      expect(response.body).toMatchObject(ORIGIN_NOT_ALLOWED);
    });

    it('refuses /refresh with a body token from an Origin not allowed', async () => {
      const login = await logInFrom(await signUp(app)).expect(200);
      await app
        .http()
        .post('/refresh')
        .set('Origin', EVIL)
        .send({ refresh_token: login.body.refresh_token })
        .expect(403);
    });

    it('still answers 422 to a /refresh with neither a body token nor a cookie', async () => {
      await app.http().post('/refresh').set('Origin', SPA).send({}).expect(422);
    });
  });

  it('/logout clears the cookie with an expired one of the same name and path', async () => {
    const login = await logInFrom(await signUp(app), SPA).expect(200);
    const response = await app
      .http()
      .post('/logout')
      .set('Origin', SPA)
      .set('Authorization', bearer(login.body.access_token as string))
      .expect(204);
    expect(setCookie(response.headers, 'refresh_token')).toBe(
      'refresh_token=; Max-Age=0; Path=/refresh; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Strict',
    );
    // The session is over, so its refresh token (the cookie's) is dead too.
    await app
      .http()
      .post('/refresh')
      .set('Origin', SPA)
      .set('Cookie', `refresh_token=${cookieValue(setCookie(login.headers, 'refresh_token'))}`)
      .expect(401);
  });
});

it('the cookie is Secure and under the path prefix when PUBLIC_URL is https', async () => {
  const app = await createTestApp({
    CORS_ORIGINS: 'https://app.example.com',
    REFRESH_TOKEN_COOKIE: 'on',
    PUBLIC_URL: 'https://auth.example.com/api',
  });
  try {
    const user = await signUp(app, aUser());
    const response = await app
      .http()
      .post('/login')
      .set('Origin', 'https://app.example.com')
      .send({ username: user.username, password: user.password })
      .expect(200);
    expect(setCookie(response.headers, 'refresh_token')).toMatch(
      new RegExp(
        `; Max-Age=${THIRTY_DAYS}; Path=\\/api\\/refresh; HttpOnly; Secure; SameSite=Strict$`,
      ),
    );
  } finally {
    await app.close({ removeData: true });
  }
});
