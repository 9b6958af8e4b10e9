import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { failure, fromEnv } from '../../test/support/config.js';
import { AppConfig } from './app-config.js';

describe('AppConfig.fromEnv: token keys', () => {
  it.each([
    ['15m', 900],
    ['900', 900],
    ['2h', 7200],
    ['1d', 86400],
  ])('reads ACCESS_TOKEN_TTL=%s as %i seconds', (value, seconds) => {
    expect(fromEnv({ ACCESS_TOKEN_TTL: value }).jwt.accessTokenTtlSeconds).toBe(seconds);
  });

  describe('JWT_SECRET', () => {
    it('is held as a secret KeyObject', () => {
      const secret = fromEnv({ JWT_SECRET: 'q8Zr2VbN5mTx7LwPj3Hs9DkF4cYg6AeU' }).jwt.secret;
      expect(secret?.type).toBe('secret');
      expect(secret?.symmetricKeySize).toBe(32);
    });

    it('refuses a secret shorter than 32 bytes', () => {
      const error = failure({ JWT_SECRET: 'q8Zr2VbN5mTx7LwPj3Hs9DkF4cYg6Ae' });
      expect(error.variable).toBe('JWT_SECRET');
      expect(error.message).toMatch(/at least 32 bytes/);
    });

    it.each([
      'your_secret_key',
      'secret',
      'changeme',
      'your_secret_key_your_secret_key_your_secret_key',
      'please-changeme-to-something-long-and-random',
      'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      'abababababababababababababababababababab',
    ])('refuses the placeholder %p', (placeholder) => {
      const error = failure({ JWT_SECRET: placeholder });
      expect(error.variable).toBe('JWT_SECRET');
    });

    it('never repeats the secret in its error', () => {
      const secret = 'changeme-changeme-changeme-changeme-1234';
      expect(failure({ JWT_SECRET: secret }).message).not.toContain(secret);
    });
  });

  describe.each(['REFRESH_TOKEN_SECRET', 'DEVICE_COOKIE_SECRET'])('%s', (variable) => {
    const key = (config: AppConfig) =>
      variable === 'REFRESH_TOKEN_SECRET'
        ? config.secrets.refreshToken
        : config.secrets.deviceCookie;

    it('is generated and kept with the data when unset', () => {
      expect(key(fromEnv({}))).toBeUndefined();
    });

    it('is held as a secret KeyObject when set, with any JWT_ALGORITHM', () => {
      const secret = key(
        fromEnv({ JWT_ALGORITHM: 'ES256', [variable]: 'Vt3mQ9xL2bR7kW5pZ8nJ4cH6sF1gD0aY' }),
      );
      expect(secret?.type).toBe('secret');
      expect(secret?.symmetricKeySize).toBe(32);
    });

    it.each(['q8Zr2VbN5mTx7LwPj3Hs9DkF4cYg6Ae', 'your_secret_key_your_secret_key_your_secret_key'])(
      'follows JWT_SECRET’s rules: refuses %p, naming the variable and not the value',
      (value) => {
        const error = failure({ [variable]: value });
        expect(error.variable).toBe(variable);
        expect(error.message.startsWith(`${variable} `)).toBe(true);
        expect(error.message).not.toContain(value);
      },
    );

    it('must differ from the other secrets', () => {
      const shared = 'Vt3mQ9xL2bR7kW5pZ8nJ4cH6sF1gD0aY';
      const other =
        variable === 'REFRESH_TOKEN_SECRET' ? 'DEVICE_COOKIE_SECRET' : 'REFRESH_TOKEN_SECRET';
      for (const env of [
        { JWT_SECRET: shared, [variable]: shared },
        { [other]: shared, [variable]: shared },
      ]) {
        const error = failure(env);
        expect([variable, other]).toContain(error.variable);
        expect(error.message).toMatch(/must differ from/);
        expect(error.message).not.toContain(shared);
      }
    });
  });
});

describe('token settings', () => {
  it('defaults to HS256, 15-minute access tokens and 30-day refresh tokens', () => {
    expect(AppConfig.fromEnv({}).jwt).toMatchObject({
      algorithm: 'HS256',
      privateKey: undefined,
      accessTokenTtlSeconds: 900,
      refreshTokenTtlSeconds: 30 * 86400,
    });
  });

  it('tolerates a spent refresh token for 10 s by default; REFRESH_REUSE_INTERVAL changes it', () => {
    expect(fromEnv({}).jwt.refreshReuseIntervalSeconds).toBe(10);
    expect(fromEnv({ REFRESH_REUSE_INTERVAL: '0' }).jwt.refreshReuseIntervalSeconds).toBe(0);
    expect(fromEnv({ REFRESH_REUSE_INTERVAL: '30s' }).jwt.refreshReuseIntervalSeconds).toBe(30);
    expect(fromEnv({ REFRESH_REUSE_INTERVAL: '5m' }).jwt.refreshReuseIntervalSeconds).toBe(300);
  });

  it.each(['soon', '-1', '301', '1h'])('refuses REFRESH_REUSE_INTERVAL=%p', (value) => {
    const error = failure({ REFRESH_REUSE_INTERVAL: value });
    expect(error.variable).toBe('REFRESH_REUSE_INTERVAL');
    expect(error.message.startsWith('REFRESH_REUSE_INTERVAL ')).toBe(true);
  });

  it('reads JWT_ALGORITHM and REFRESH_TOKEN_TTL', () => {
    const config = AppConfig.fromEnv({ JWT_ALGORITHM: 'ES256', REFRESH_TOKEN_TTL: '7d' });
    expect(config.jwt).toMatchObject({ algorithm: 'ES256', refreshTokenTtlSeconds: 7 * 86400 });
    expect(() => AppConfig.fromEnv({ JWT_ALGORITHM: 'none' })).toThrow(/^JWT_ALGORITHM /);
    expect(() => AppConfig.fromEnv({ JWT_ALGORITHM: 'hs256' })).toThrow(/^JWT_ALGORITHM /);
  });

  it('takes a PEM JWT_PRIVATE_KEY that fits the algorithm, with \\n escapes', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const config = AppConfig.fromEnv({
      JWT_ALGORITHM: 'ES256',
      JWT_PRIVATE_KEY: pem.replace(/\n/g, '\\n'),
    });
    expect(config.jwt.privateKey?.asymmetricKeyType).toBe('ec');
    expect(() => AppConfig.fromEnv({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: pem })).toThrow(
      /^JWT_PRIVATE_KEY must be an RSA key/,
    );
    expect(() => AppConfig.fromEnv({ JWT_ALGORITHM: 'ES256', JWT_PRIVATE_KEY: 'nope' })).toThrow(
      /^JWT_PRIVATE_KEY is not a PEM private key/,
    );
  });

  it('refuses a small RSA key, and keys that do not go with the algorithm', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => AppConfig.fromEnv({ JWT_ALGORITHM: 'RS256', JWT_PRIVATE_KEY: pem })).toThrow(
      /at least 2048 bits/,
    );
    expect(() => AppConfig.fromEnv({ JWT_PRIVATE_KEY: pem })).toThrow(/^JWT_PRIVATE_KEY is only/);
    expect(() =>
      AppConfig.fromEnv({ JWT_ALGORITHM: 'RS256', JWT_SECRET: 'q8Zr2VbN5mTx7LwPj3Hs9DkF4cYg6AeU' }),
    ).toThrow(/^JWT_SECRET is only/);
  });
});
