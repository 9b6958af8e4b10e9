import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from '../support/jwt.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  aUser,
  bearer,
  logInForTokens,
  signUp,
  type TestUser,
  type Tokens,
} from '../support/users.factory.js';

const RESOURCE_SERVER = { id: 'orders-api', secret: 'orders-api-secret-0123456789abcdef' };
const OAUTH_JSON = 'application/json; charset=utf-8';
const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

/** Strings that are not live refresh tokens of ours, of every length and alphabet. */
const NOT_OUR_TOKENS = [
  ['unknown', 'q3V8rN0pq3V8rN0pq3V8rN0pq3V8rN0pq3V8rN0pq3V'],
  ['10 KB long', 'x'.repeat(10_000)],
  ['of another alphabet', 'токен 🔑 <script>'],
  ['a JWT (ours, but an access token)', 'replaced by an access token below'],
] as const;

describe('the OAuth2 surface: token endpoint, metadata, revocation, introspection', () => {
  let app: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    app = await createTestApp({
      INTROSPECTION_CLIENTS: `${RESOURCE_SERVER.id}:${RESOURCE_SERVER.secret}`,
    });
    user = await signUp(app, aUser());
  });
  afterAll(() => app.close({ removeData: true }));

  const login = () => logInForTokens(app, user);
  const protectedWith = (tokens: Tokens) =>
    app.http().get('/protected').set('Authorization', bearer(tokens.access_token));
  const introspect = (token: string, hint?: string) =>
    app
      .http()
      .post('/introspect')
      .type('form')
      .set('Authorization', basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret))
      .send({ token, ...(hint ? { token_type_hint: hint } : {}) });
  const revoke = (token: string, hint?: string) =>
    app
      .http()
      .post('/revoke')
      .type('form')
      .send({ token, ...(hint ? { token_type_hint: hint } : {}) });

  describe('one token endpoint (RFC 6749 §3.2)', () => {
    it('takes the refresh grant on /login, as a form or JSON, answering what /refresh answers', async () => {
      const first = await login();
      const viaForm = await app
        .http()
        .post('/login')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: 'x' })
        .expect(200);
      expect(viaForm.headers['cache-control']).toBe('no-store');
      expect(viaForm.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        expires_in: 900,
        refresh_token: expect.any(String),
      });
      // Rotation as at /refresh: the same session, a new refresh token, the old one spent.
      expect(decodeJwt(viaForm.body.access_token).payload.sid).toBe(
        decodeJwt(first.access_token).payload.sid,
      );
      const viaJson = await app
        .http()
        .post('/login')
        .send({ grant_type: 'refresh_token', refresh_token: viaForm.body.refresh_token })
        .expect(200);
      await app
        .http()
        .post('/refresh')
        .send({ refresh_token: viaJson.body.refresh_token })
        .expect(200);
      await protectedWith(viaJson.body as Tokens).expect(200);
    });

    it('still refuses every other grant with unsupported_grant_type', async () => {
      for (const path of ['/login', '/refresh']) {
        const response = await app
          .http()
          .post(path)
          .type('form')
          .send({ grant_type: 'client_credentials' })
          .expect(400);
        expect(response.headers['content-type']).toBe(OAUTH_JSON);
        expect(response.body).toMatchObject({ error: 'unsupported_grant_type' });
      }
    });

    it('answers a form missing its refresh_token with 400 invalid_request, JSON with 422', async () => {
      for (const path of ['/login', '/refresh']) {
        for (const form of [
          'grant_type=refresh_token',
          'grant_type=refresh_token&refresh_token=',
        ]) {
          const response = await app.http().post(path).type('form').send(form).expect(400);
          expect(response.headers['content-type']).toBe(OAUTH_JSON);
          expect(response.body).toMatchObject({
            type: '/problems/invalid-request',
            status: 400,
            error: 'invalid_request',
            errors: expect.arrayContaining([expect.objectContaining({ field: 'refresh_token' })]),
          });
        }
        const json = await app
          .http()
          .post(path)
          .send({ grant_type: 'refresh_token', refresh_token: '' })
          .expect(422);
        expect(json.headers['content-type']).toBe(OAUTH_JSON);
        expect(json.body).toMatchObject({ status: 422, error: 'invalid_request' });
      }
    });

    it('answers any string that is not a live refresh token with 401 invalid_grant, whatever its shape', async () => {
      const { access_token: accessToken } = await login();
      for (const [, token] of NOT_OUR_TOKENS) {
        const value = token.startsWith('replaced') ? accessToken : token;
        for (const [path, body] of [
          ['/refresh', { refresh_token: value }],
          ['/login', { grant_type: 'refresh_token', refresh_token: value }],
        ] as const) {
          for (const type of ['json', 'form'] as const) {
            const response = await app.http().post(path).type(type).send(body);
            expect({ path, type, status: response.status }).toEqual({ path, type, status: 401 });
            expect(response.headers['content-type']).toBe(OAUTH_JSON);
            expect(response.body).toMatchObject({ error: 'invalid_grant' });
          }
        }
      }
    });

    it('serves every error of the OAuth2 endpoints as application/json, and keeps problem+json elsewhere', async () => {
      const cases = [
        app.http().post('/login').set('Content-Type', 'application/json').send('{"x": '),
        app.http().post('/refresh').set('Content-Type', 'text/plain').send('x'),
        app
          .http()
          .post('/revoke')
          .send({ token: 'x'.repeat(70 * 1024) }),
        app.http().post('/introspect').type('form').send({ token: 'x' }),
        app.http().post('/login').send({ username: 'nobody', password: 'wrong-password' }),
      ];
      const statuses = [];
      for (const response of await Promise.all(cases)) {
        statuses.push(response.status);
        expect(response.headers['content-type']).toBe(OAUTH_JSON);
        expect(response.body).toMatchObject({
          type: expect.stringMatching(/^\/problems\//),
          status: response.status,
          error: expect.any(String),
        });
      }
      expect(statuses).toEqual([400, 415, 413, 401, 401]);
      const elsewhere = await app.http().post('/signup').send({});
      expect(elsewhere.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(elsewhere.body.error).toBeUndefined();
    });
  });

  describe('server metadata (RFC 8414)', () => {
    it('says where everything is, as absolute URLs under PUBLIC_URL (here: http://HOST:PORT)', async () => {
      const response = await app.http().get('/.well-known/oauth-authorization-server').expect(200);
      const base = 'http://127.0.0.1:3000';
      expect(response.body).toEqual({
        issuer: base,
        token_endpoint: `${base}/login`,
        token_endpoint_auth_methods_supported: ['none'],
        grant_types_supported: ['password', 'refresh_token'],
        response_types_supported: [],
        jwks_uri: `${base}/.well-known/jwks.json`,
        revocation_endpoint: `${base}/revoke`,
        revocation_endpoint_auth_methods_supported: ['none'],
        introspection_endpoint: `${base}/introspect`,
        introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
        service_documentation: `${base}/docs`,
      });
    });
  });

  describe('revocation (RFC 7009)', () => {
    it('revoking a refresh token ends its session: access token refused at once, refresh token invalid_grant', async () => {
      const tokens = await login();
      const response = await revoke(tokens.refresh_token, 'refresh_token').expect(200);
      expect(response.text).toBe('');
      expect(response.headers['cache-control']).toBe('no-store');
      await protectedWith(tokens).expect(401);
      const refresh = await app
        .http()
        .post('/refresh')
        .send({ refresh_token: tokens.refresh_token })
        .expect(401);
      expect(refresh.body.error).toBe('invalid_grant');
    });

    it('revoking an access token ends its session too, whatever the hint says', async () => {
      const tokens = await login();
      await revoke(tokens.access_token, 'refresh_token').expect(200);
      await protectedWith(tokens).expect(401);
      await app.http().post('/refresh').send({ refresh_token: tokens.refresh_token }).expect(401);
    });

    it('answers 200 with an empty body for every token, live or not, and leaves other sessions alone', async () => {
      const bystander = await login();
      const spent = await login();
      await app.http().post('/refresh').send({ refresh_token: spent.refresh_token }).expect(200);
      for (const token of [
        'not-a-token',
        'x'.repeat(10_000),
        'a.b.c',
        `${bystander.access_token.slice(0, -4)}AAAA`,
        'токен',
      ]) {
        const response = await revoke(token).expect(200);
        expect(response.text).toBe('');
      }
      await app.http().post('/revoke').send({ token: 'json-body-too' }).expect(200);
      await protectedWith(bystander).expect(200);
      // A spent token still names its session: revoking it ends that session.
      await revoke(spent.refresh_token).expect(200);
      const refreshed = await app.http().post('/refresh').send({ refresh_token: 'x' });
      expect(refreshed.status).toBe(401);
    });

    it('accepts and ignores client credentials, and answers a missing token with invalid_request', async () => {
      const tokens = await login();
      await app
        .http()
        .post('/revoke')
        .type('form')
        .set('Authorization', basic('some-client', 'its-secret'))
        .send({ token: tokens.refresh_token, client_id: 'some-client' })
        .expect(200);
      await protectedWith(tokens).expect(401);
      const missing = await app.http().post('/revoke').type('form').send({}).expect(400);
      expect(missing.headers['content-type']).toBe(OAUTH_JSON);
      expect(missing.body).toMatchObject({ error: 'invalid_request' });
      const twice = await app.http().post('/revoke').type('form').send('token=a&token=b');
      expect(twice.status).toBe(400);
    });

    it('records the revocation in the audit trail', async () => {
      const tokens = await login();
      await revoke(tokens.refresh_token).expect(200);
      const activity = await app
        .http()
        .get('/me/activity')
        .set('Authorization', bearer((await login()).access_token))
        .expect(200);
      expect(activity.body.events.map((event: { type: string }) => event.type)).toContain(
        'token_revoked',
      );
    });
  });

  describe('introspection (RFC 7662)', () => {
    it('answers a live access token with its claims, and a live refresh token with its session', async () => {
      const tokens = await login();
      const claims = decodeJwt(tokens.access_token).payload;
      const access = await introspect(tokens.access_token).expect(200);
      expect(access.headers['cache-control']).toBe('no-store');
      expect(access.body).toEqual({
        active: true,
        token_type: 'access_token',
        sub: claims.sub,
        username: user.username,
        exp: claims.exp,
        iat: claims.iat,
        iss: claims.iss,
        aud: claims.aud,
        jti: claims.jti,
        sid: claims.sid,
      });
      const refresh = await introspect(tokens.refresh_token, 'access_token').expect(200);
      expect(refresh.body).toEqual({
        active: true,
        token_type: 'refresh_token',
        sub: claims.sub,
        username: user.username,
        exp: expect.any(Number),
        sid: claims.sid,
      });
      expect(refresh.body.exp).toBeGreaterThan(Date.now() / 1000 + 29 * 24 * 3600);
    });

    it('answers exactly {"active": false} for a rotated, logged-out, unknown or malformed token', async () => {
      const rotated = await login();
      await app.http().post('/refresh').send({ refresh_token: rotated.refresh_token }).expect(200);
      const loggedOut = await login();
      await app
        .http()
        .post('/logout')
        .set('Authorization', bearer(loggedOut.access_token))
        .expect(204);
      for (const token of [
        rotated.refresh_token,
        loggedOut.access_token,
        loggedOut.refresh_token,
        'unknown',
        'x'.repeat(20_000),
        `${rotated.access_token.slice(0, -4)}AAAA`,
        '{"alg":"none"}..',
      ]) {
        const response = await introspect(token).expect(200);
        expect(response.body).toEqual({ active: false });
      }
    });

    it('answers {"active": false} after a password change ends the other sessions', async () => {
      const someone = await signUp(app, aUser());
      const other = await logInForTokens(app, someone);
      const mine = await logInForTokens(app, someone);
      await app
        .http()
        .post('/me/password')
        .set('Authorization', bearer(mine.access_token))
        .send({ current_password: someone.password, new_password: `${someone.password}-new` })
        .expect(204);
      expect((await introspect(other.access_token)).body).toEqual({ active: false });
      expect((await introspect(other.refresh_token)).body).toEqual({ active: false });
      expect((await introspect(mine.access_token)).body.active).toBe(true);
    });

    it('only answers configured resource servers: 401 invalid_client with a Basic challenge', async () => {
      const tokens = await login();
      for (const authorization of [
        undefined,
        bearer(tokens.access_token),
        basic(RESOURCE_SERVER.id, 'wrong-secret-wrong-secret-wrong-secret'),
        basic('someone-else', RESOURCE_SERVER.secret),
      ]) {
        const request = app.http().post('/introspect').type('form');
        if (authorization) void request.set('Authorization', authorization);
        const response = await request.send({ token: tokens.access_token }).expect(401);
        expect(response.headers['www-authenticate']).toBe('Basic realm="introspection"');
        expect(response.headers['content-type']).toBe(OAUTH_JSON);
        expect(response.body).toMatchObject({
          type: '/problems/invalid-client',
          error: 'invalid_client',
        });
        expect(JSON.stringify(response.body)).not.toContain('username');
      }
    });
  });
});

// Apps of their own, once the shared one is closed: Passport's strategies are process-global, so
// two apps alive in one process would share one app's login.
describe('the OAuth2 surface under other settings', () => {
  it('leaves introspection out when no resource server is configured, and follows PUBLIC_URL', async () => {
    const other = await createTestApp({ PUBLIC_URL: 'https://auth.example.com/base/' });
    try {
      const { body } = await other.http().get('/.well-known/oauth-authorization-server');
      expect(body.issuer).toBe('https://auth.example.com/base');
      expect(body.token_endpoint).toBe('https://auth.example.com/base/login');
      expect(body).not.toHaveProperty('introspection_endpoint');
      expect(body).not.toHaveProperty('introspection_endpoint_auth_methods_supported');
      // With PUBLIC_URL set, access tokens are issued by it (RFC 9068 §2.2) and accepted.
      const someone = await signUp(other);
      const tokens = await logInForTokens(other, someone);
      expect(decodeJwt(tokens.access_token).payload.iss).toBe('https://auth.example.com/base');
      await other
        .http()
        .get('/protected')
        .set('Authorization', bearer(tokens.access_token))
        .expect(200);
    } finally {
      await other.close({ removeData: true });
    }
  });

  it('answers 401 to everyone when no resource server is configured', async () => {
    const other = await createTestApp();
    try {
      const response = await other
        .http()
        .post('/introspect')
        .type('form')
        .set('Authorization', basic(RESOURCE_SERVER.id, RESOURCE_SERVER.secret))
        .send({ token: 'anything' })
        .expect(401);
      expect(response.body.error).toBe('invalid_client');
    } finally {
      await other.close({ removeData: true });
    }
  });
});
