import { generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt, forgeJwt } from '../support/jwt.js';
import { startExample, type ExampleProcess } from '../support/example-process.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { bearer, logIn, signUp } from '../support/users.factory.js';

const INTROSPECTION = `orders-api:${'s'.repeat(40)}`;

const startResourceServer = (env: Record<string, string>) =>
  startExample('resource-server/server.mjs', env, '/hello');

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The same header and claims, signed with a key of our own making: what an attacker can do. */
function forgedFrom(token: string, algorithm: 'RS256' | 'ES256'): string {
  const { header, payload } = decodeJwt(token);
  const input = `${b64(header)}.${b64({ ...payload, roles: ['admin'] })}`;
  const signature =
    algorithm === 'RS256'
      ? sign(
          'sha256',
          Buffer.from(input),
          generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
        )
      : sign('sha256', Buffer.from(input), {
          key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
          dsaEncoding: 'ieee-p1363',
        });
  return `${input}.${signature.toString('base64url')}`;
}

describe.each(['RS256', 'ES256'] as const)(
  'examples/resource-server with JWT_ALGORITHM=%s',
  (algorithm) => {
    let auth: TestApp;
    let plain: ExampleProcess | undefined;
    let introspecting: ExampleProcess | undefined;

    beforeAll(async () => {
      auth = await createTestApp({
        JWT_ALGORITHM: algorithm,
        INTROSPECTION_CLIENTS: INTROSPECTION,
      });
      await auth.app.listen(0, '127.0.0.1');
      const authUrl = `http://127.0.0.1:${new URL(await auth.app.getUrl()).port}`;
      const env = { AUTH_URL: authUrl, JWT_ISSUER: auth.config.jwt.issuer };
      [plain, introspecting] = await Promise.all([
        startResourceServer(env),
        startResourceServer({ ...env, INTROSPECTION_CLIENT: INTROSPECTION }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([plain?.stop(), introspecting?.stop()]);
      await auth?.close({ removeData: true });
    });

    const hello = (server: ExampleProcess | undefined, token: string) =>
      fetch(`${server?.url}/hello`, { headers: { authorization: bearer(token) } });

    it('accepts a valid access token, verified against /.well-known/jwks.json', async () => {
      const user = await signUp(auth);
      const token = await logIn(auth, user);
      for (const server of [plain, introspecting]) {
        const response = await hello(server, token);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          message: `Hello, ${user.username}`,
          sub: decodeJwt(token).payload.sub,
        });
      }
    });

    it('refuses a forged token, an unsigned one and none at all', async () => {
      const token = await logIn(auth, await signUp(auth));
      const { header, payload } = decodeJwt(token);
      for (const forged of [
        forgedFrom(token, algorithm),
        forgeJwt({ ...header, alg: 'none' }, payload, 'unsigned'),
      ]) {
        const response = await hello(plain, forged);
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      }
      expect((await fetch(`${plain?.url}/hello`)).status).toBe(401);
    });

    it('with introspection, refuses a token as soon as its session is logged out', async () => {
      const token = await logIn(auth, await signUp(auth));
      expect((await hello(introspecting, token)).status).toBe(200);
      await auth.http().post('/logout').set('Authorization', bearer(token)).expect(204);
      expect((await hello(introspecting, token)).status).toBe(401);
      // Without it, the signature alone still holds until the token expires: why it exists.
      expect((await hello(plain, token)).status).toBe(200);
    });
  },
);

describe('examples/resource-server and an expired token', () => {
  let auth: TestApp;
  let server: ExampleProcess | undefined;

  beforeAll(async () => {
    auth = await createTestApp({ JWT_ALGORITHM: 'ES256', ACCESS_TOKEN_TTL: '1s' });
    await auth.app.listen(0, '127.0.0.1');
    const authUrl = `http://127.0.0.1:${new URL(await auth.app.getUrl()).port}`;
    server = await startResourceServer({ AUTH_URL: authUrl, JWT_ISSUER: auth.config.jwt.issuer });
  });
  afterAll(async () => {
    await server?.stop();
    await auth?.close({ removeData: true });
  });

  it('refuses it', async () => {
    const token = await logIn(auth, await signUp(auth));
    const expiresAt = Number(decodeJwt(token).payload.exp) * 1000;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, expiresAt - Date.now()) + 50));
    const response = await fetch(`${server?.url}/hello`, {
      headers: { authorization: bearer(token) },
    });
    expect(response.status).toBe(401);
  });
});
