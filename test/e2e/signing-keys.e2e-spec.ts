import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { keyRingStore } from '../../src/tokens/key-ring.factory.js';
import { rotateKeys } from '../../src/tokens/key-ring.store.js';
import { openDatabase } from '../../src/database/database.factory.js';
import { decodeJwt, forgeJwt } from '../support/jwt.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { bearer, logIn, signUp } from '../support/users.factory.js';

/** Verifies like a separate service would: only the published JWKS, no secret of ours. */
async function verifyIndependently(app: TestApp, token: string, algorithm: string) {
  const jwks = (await app.http().get('/.well-known/jwks.json').expect(200)).body as JSONWebKeySet;
  const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: app.config.jwt.issuer,
    audience: app.config.jwt.audience,
    algorithms: [algorithm],
  });
  return { payload, protectedHeader };
}

describe('signing keys and JWKS', () => {
  it('publishes no keys with HS256', async () => {
    const app = await createTestApp();
    try {
      const response = await app.http().get('/.well-known/jwks.json').expect(200);
      expect(response.body).toEqual({ keys: [] });
      expect(response.headers['cache-control']).toMatch(/max-age=\d+/);
    } finally {
      await app.close({ removeData: true });
    }
  });

  describe.each(['RS256', 'ES256'])('%s', (algorithm) => {
    it('signs with a generated key whose public half the JWKS publishes, and an independent verifier accepts the token', async () => {
      const app = await createTestApp({ JWT_ALGORITHM: algorithm });
      try {
        const token = await logIn(app, await signUp(app));
        const { body: jwks } = await app.http().get('/.well-known/jwks.json').expect(200);
        expect(jwks.keys).toHaveLength(1);
        const [jwk] = jwks.keys;
        expect(jwk).toMatchObject({ kid: expect.any(String), alg: algorithm, use: 'sig' });
        expect(jwk).not.toHaveProperty('d');
        expect(decodeJwt(token).header).toMatchObject({ alg: algorithm, kid: jwk.kid });

        const { payload } = await verifyIndependently(app, token, algorithm);
        expect(payload).toMatchObject({ sub: expect.any(String), sid: expect.any(String) });
        await app.http().get('/protected').set('Authorization', bearer(token)).expect(200);
      } finally {
        await app.close({ removeData: true });
      }
    });

    it('refuses an HS256 token keyed with the published public key (algorithm confusion)', async () => {
      const app = await createTestApp({ JWT_ALGORITHM: algorithm });
      try {
        const token = await logIn(app, await signUp(app));
        const { header, payload } = decodeJwt(token);
        const { body: jwks } = await app.http().get('/.well-known/jwks.json').expect(200);
        const { createPublicKey } = await import('node:crypto');
        const publicPem = createPublicKey({ key: jwks.keys[0], format: 'jwk' })
          .export({ type: 'spki', format: 'pem' })
          .toString();
        for (const key of [publicPem, JSON.stringify(jwks.keys[0])]) {
          const forged = forgeJwt({ ...header, alg: 'HS256' }, payload, { hmac: 'sha256', key });
          const response = await app.http().get('/protected').set('Authorization', bearer(forged));
          expect(response.status).toBe(401);
          expect(response.body.detail).toBe('Invalid token');
        }
      } finally {
        await app.close({ removeData: true });
      }
    });

    it('rotates keys: new tokens use the new kid, tokens of the previous key stay valid, an unknown kid is refused', async () => {
      const first = await createTestApp({ JWT_ALGORITHM: algorithm });
      const oldToken = await logIn(first, await signUp(first));
      const oldKid = decodeJwt(oldToken).header.kid;
      await first.close();

      // `npm run keys:rotate`, in effect: a new key in the ring the instances share.
      const db =
        first.config.database.kind === 'memory'
          ? undefined
          : await openDatabase(first.config.database);
      const { added } = await rotateKeys(keyRingStore(first.config, db), algorithm as 'RS256', 900);
      await db?.destroy();
      expect(added.kid).not.toBe(oldKid);

      const second = await createTestApp(first.env);
      try {
        const newToken = await logIn(second, await signUp(second));
        expect(decodeJwt(newToken).header.kid).toBe(added.kid);
        const { body: jwks } = await second.http().get('/.well-known/jwks.json').expect(200);
        expect(jwks.keys.map((k: { kid: string }) => k.kid).sort()).toEqual(
          [oldKid, added.kid].sort(),
        );
        for (const token of [oldToken, newToken]) {
          await second.http().get('/protected').set('Authorization', bearer(token)).expect(200);
          await verifyIndependently(second, token, algorithm);
        }
        // Same signature, but a kid we never issued: refused.
        const [, payload, signature] = oldToken.split('.');
        const header = Buffer.from(
          JSON.stringify({ ...decodeJwt(oldToken).header, kid: 'unknown-kid' }),
        ).toString('base64url');
        await second
          .http()
          .get('/protected')
          .set('Authorization', bearer(`${header}.${payload}.${signature}`))
          .expect(401);
      } finally {
        await second.close({ removeData: true });
      }
    });
  });

  it('signs with JWT_PRIVATE_KEY when given, publishing its public key', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const app = await createTestApp({
      JWT_ALGORITHM: 'ES256',
      JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
    });
    try {
      const token = await logIn(app, await signUp(app));
      const { body: jwks } = await app.http().get('/.well-known/jwks.json').expect(200);
      expect(jwks.keys).toHaveLength(1);
      const published = jwks.keys[0];
      const expected = publicKey.export({ format: 'jwk' });
      expect({ x: published.x, y: published.y }).toEqual({ x: expected.x, y: expected.y });
      await verifyIndependently(app, token, 'ES256');
    } finally {
      await app.close({ removeData: true });
    }
  });
});
