import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, forgeJwt, nowSeconds } from '../support/jwt.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { logIn, signUp } from '../support/users.factory.js';

const SECRET = randomBytes(32).toString('base64url');

describe('GET /protected', () => {
  let app: TestApp;
  let token: string;
  let claims: Record<string, unknown>;
  let kid: unknown;

  beforeAll(async () => {
    app = await createTestApp({ JWT_SECRET: SECRET });
    token = await logIn(app, await signUp(app));
    ({
      payload: claims,
      header: { kid },
    } = decodeJwt(token));
  });
  afterAll(() => app.close({ removeData: true }));

  const call = (authorization?: string) => {
    const req = app.http().get('/protected');
    return authorization === undefined ? req : req.set('Authorization', authorization);
  };
  const forged = (payload: Record<string, unknown>, hmac: 'sha256' | 'sha512' = 'sha256') =>
    forgeJwt({ alg: hmac === 'sha256' ? 'HS256' : 'HS512', typ: 'JWT', kid }, payload, {
      hmac,
      key: SECRET,
    });

  it('greets the token user', async () => {
    const response = await call(`Bearer ${token}`).expect(200);
    expect(response.body).toEqual({
      message: `Hello ${String(claims.username)}, welcome to the protected route!`,
    });
  });

  it('answers 401 "Not authenticated" with a bare Bearer challenge when no token is sent', async () => {
    for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer']) {
      const response = await call(authorization).expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer');
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toEqual({
        type: '/problems/unauthenticated',
        title: 'Not authenticated',
        status: 401,
        detail: 'Not authenticated',
        request_id: expect.any(String),
      });
    }
  });

  const expectInvalid = async (authorization: string): Promise<void> => {
    const response = await call(authorization).expect(401);
    expect(response.body).toMatchObject({
      type: '/problems/invalid-token',
      detail: 'Invalid token',
    });
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  };

  it('refuses garbage and a tampered token with "Invalid token" (RFC 6750 §3)', async () => {
    await expectInvalid('Bearer not.a.jwt');
    const [header, payload, signature] = token.split('.');
    const tamperedPayload = Buffer.from(JSON.stringify({ ...claims, username: 'admin' })).toString(
      'base64url',
    );
    await expectInvalid(`Bearer ${header}.${tamperedPayload}.${signature}`);
    const flipped = `${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    await expectInvalid(`Bearer ${header}.${payload}.${flipped}`);
  });

  it('refuses alg "none" and any algorithm other than HS256', async () => {
    await expectInvalid(
      `Bearer ${forgeJwt({ alg: 'none', typ: 'JWT', kid }, { ...claims }, 'unsigned')}`,
    );
    await expectInvalid(
      `Bearer ${forgeJwt({ alg: 'none', typ: 'JWT' }, { ...claims }, 'unsigned')}`,
    );
    await expectInvalid(`Bearer ${forged({ ...claims }, 'sha512')}`);
  });

  it('refuses a token for another issuer or audience', async () => {
    await expectInvalid(`Bearer ${forged({ ...claims, iss: 'someone-else' })}`);
    await expectInvalid(`Bearer ${forged({ ...claims, aud: 'another-service' })}`);
  });

  it('refuses a token that names no key, or a key we do not have', async () => {
    const header = { alg: 'HS256', typ: 'JWT' };
    await expectInvalid(
      `Bearer ${forgeJwt(header, { ...claims }, { hmac: 'sha256', key: SECRET })}`,
    );
    await expectInvalid(
      `Bearer ${forgeJwt({ ...header, kid: 'not-ours' }, { ...claims }, { hmac: 'sha256', key: SECRET })}`,
    );
  });

  it('refuses a correctly signed token that lacks our claims', async () => {
    const { username: _username, ...withoutUsername } = claims;
    await expectInvalid(`Bearer ${forged(withoutUsername)}`);
    const { sid: _sid, ...withoutSession } = claims;
    await expectInvalid(`Bearer ${forged(withoutSession)}`);
  });

  it('takes a token issued before the roles claim existed as a plain user’s, not as invalid', async () => {
    const { roles: _roles, ...preRoles } = claims;
    const token = `Bearer ${forged(preRoles)}`;
    await call(token).expect(200);
    const refused = await app.http().get('/admin/users').set('Authorization', token).expect(403);
    expect(refused.body.type).toBe('/problems/forbidden');
  });

  it('refuses a roles claim that is not a list of names', async () => {
    await expectInvalid(`Bearer ${forged({ ...claims, roles: 'admin' })}`);
    await expectInvalid(`Bearer ${forged({ ...claims, roles: [1] })}`);
  });

  it('accepts a token it did not issue only when signed with our secret and claims (control)', async () => {
    await call(`Bearer ${forged({ ...claims })}`).expect(200);
  });

  it('answers 401 "Token expired" for an expired token', async () => {
    const expired = forged({ ...claims, iat: nowSeconds() - 1000, exp: nowSeconds() - 10 });
    const response = await call(`Bearer ${expired}`).expect(401);
    expect(response.body).toMatchObject({
      type: '/problems/token-expired',
      detail: 'Token expired',
    });
    expect(response.headers['www-authenticate']).toMatch(/^Bearer error="invalid_token"/);
  });
});
