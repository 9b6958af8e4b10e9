import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { AccessTokenService } from './access-token.service.js';
import { AccessTokenVerifier } from './access-token.verifier.js';
import { FileKeyRingStore } from './key-ring.file.js';
import { SigningKeys } from './signing-keys.js';

const decode = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

describe.each(['HS256', 'RS256', 'ES256'])('AccessTokenService: %s', (algorithm) => {
  let dataDir: string;
  let config: AppConfig;
  let keys: SigningKeys;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'access-tokens-'));
    config = AppConfig.fromEnv({ NODE_ENV: 'test', DATA_DIR: dataDir, JWT_ALGORITHM: algorithm });
    keys = await SigningKeys.load(config, new FileKeyRingStore(dataDir));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  const user = {
    id: 'c0ffee00-0000-4000-8000-000000000001',
    username: 'alice',
    emailVerifiedAt: null,
    roles: ['user', 'auditor'],
  };

  it('signs the claims the verifier requires, with the key’s kid, for the configured lifetime', async () => {
    const tokens = new AccessTokenService(keys, config);
    const { token, expiresIn } = tokens.issue(user, 'session-1', ['pwd']);
    expect(expiresIn).toBe(config.jwt.accessTokenTtlSeconds);
    const [header, payload] = token.split('.');
    expect(decode(header!)).toEqual({ alg: algorithm, typ: 'JWT', kid: keys.current.kid });
    const claims = decode(payload!);
    expect(claims).toEqual({
      sub: user.id,
      username: 'alice',
      sid: 'session-1',
      roles: ['user', 'auditor'],
      amr: ['pwd'],
      email_verified: false,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iss: config.jwt.issuer,
      aud: config.jwt.audience,
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(expiresIn);
    expect(await new AccessTokenVerifier(keys, config).verify(token)).toMatchObject({
      sub: user.id,
      sid: 'session-1',
    });
    // Every token its own jti.
    expect(tokens.issue(user, 'session-1', ['pwd']).token).not.toBe(token);
  });
});
