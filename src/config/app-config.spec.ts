import { generateKeyPairSync } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { AppConfig } from './app-config.js';
import { ConfigError } from './config.error.js';

const fromEnv = (env: Record<string, string>) => AppConfig.fromEnv(env);
const failure = (env: Record<string, string>): ConfigError => {
  try {
    fromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('AppConfig.fromEnv', () => {
  it('has safe defaults', () => {
    const config = fromEnv({});
    expect(config).toMatchObject({
      environment: 'development',
      port: 3000,
      host: '127.0.0.1',
      bcryptCost: 12,
      logLevel: 'info',
      jwt: { secret: undefined, accessTokenTtlSeconds: 900 },
    });
    expect(config.dataDir).toMatch(/\/data$/);
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['BCRYPT_COST', '9'],
    ['BCRYPT_COST', '32'],
    ['ACCESS_TOKEN_TTL', 'forever'],
    ['ACCESS_TOKEN_TTL', '0'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    const error = failure({ [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message.startsWith(`${name} `)).toBe(true);
  });

  describe('PUBLIC_URL', () => {
    it('defaults to where the service listens, and leaves the issuer as it was', () => {
      expect(fromEnv({}).publicUrl).toBe('http://127.0.0.1:3000');
      expect(fromEnv({ HOST: '0.0.0.0', PORT: '8000' }).publicUrl).toBe('http://localhost:8000');
      expect(fromEnv({ HOST: '::1' }).publicUrl).toBe('http://[::1]:3000');
      expect(fromEnv({}).publicUrlExplicit).toBe(false);
      expect(fromEnv({}).jwt.issuer).toBe('nest-jwt-auth');
      expect(fromEnv({ JWT_ISSUER: 'me' }).jwt.issuer).toBe('me');
    });

    it('is kept without a trailing slash, path prefix included, and becomes the issuer', () => {
      const config = fromEnv({ PUBLIC_URL: 'https://auth.example.com/api/' });
      expect(config.publicUrl).toBe('https://auth.example.com/api');
      expect(config.publicUrlExplicit).toBe(true);
      expect(config.jwt.issuer).toBe('https://auth.example.com/api');
      expect(
        fromEnv({ PUBLIC_URL: 'https://a.example', JWT_ISSUER: 'https://a.example' }).jwt.issuer,
      ).toBe('https://a.example');
    });

    it.each([
      'auth.example.com',
      'ftp://auth.example.com',
      'https://auth.example.com/?x=1',
      'https://auth.example.com/#top',
      'https://user:pass@auth.example.com',
    ])('refuses %s', (value) => {
      expect(failure({ PUBLIC_URL: value }).variable).toBe('PUBLIC_URL');
    });

    it('refuses a JWT_ISSUER that is not PUBLIC_URL when both are set', () => {
      const error = failure({ PUBLIC_URL: 'https://auth.example.com', JWT_ISSUER: 'other' });
      expect(error.variable).toBe('JWT_ISSUER');
    });
  });

  describe('INTROSPECTION_CLIENTS', () => {
    const secret = 's'.repeat(32);

    it('is empty unless set, and takes client_id:client_secret pairs', () => {
      expect(fromEnv({}).introspectionClients).toEqual([]);
      expect(
        fromEnv({ INTROSPECTION_CLIENTS: `api:${secret}, billing:${secret}:with-colon` })
          .introspectionClients,
      ).toEqual([
        { id: 'api', secret },
        { id: 'billing', secret: `${secret}:with-colon` },
      ]);
    });

    it.each([
      ['a short secret', 'api:short'],
      ['no secret', 'api'],
      ['no id', `:${'s'.repeat(32)}`],
      ['an id used twice', `api:${'s'.repeat(32)},api:${'t'.repeat(32)}`],
    ])('refuses %s without echoing the secret', (_case, value) => {
      const error = failure({ INTROSPECTION_CLIENTS: value });
      expect(error.variable).toBe('INTROSPECTION_CLIENTS');
      expect(error.message).not.toContain('short');
      expect(error.message).not.toContain('s'.repeat(32));
    });
  });

  describe('MFA', () => {
    it('shows the host of PUBLIC_URL in authenticator apps unless MFA_ISSUER says otherwise', () => {
      expect(fromEnv({}).mfa.issuer).toBe('127.0.0.1:3000');
      expect(fromEnv({ PUBLIC_URL: 'https://auth.example.com/x' }).mfa.issuer).toBe(
        'auth.example.com',
      );
      expect(fromEnv({ MFA_ISSUER: 'Example' }).mfa.issuer).toBe('Example');
    });

    it('takes MFA_ENCRYPTION_KEY as 64 hex characters, and refuses anything else', () => {
      const hex = '0123456789abcdef'.repeat(4);
      expect(fromEnv({ MFA_ENCRYPTION_KEY: hex }).mfa.encryptionKey).toEqual(
        Buffer.from(hex, 'hex'),
      );
      expect(fromEnv({}).mfa.encryptionKey).toBeUndefined();
      for (const bad of ['short', 'z'.repeat(64), '0'.repeat(64)]) {
        const error = failure({ MFA_ENCRYPTION_KEY: bad });
        expect(error.variable).toBe('MFA_ENCRYPTION_KEY');
        expect(error.message).not.toContain(bad);
      }
    });
  });

  it('sizes the hashing pool to the cores unless HASH_WORKERS says otherwise', () => {
    expect(fromEnv({}).hashWorkers).toBe(availableParallelism());
    expect(fromEnv({ HASH_WORKERS: '3' }).hashWorkers).toBe(3);
    expect(failure({ HASH_WORKERS: '0' }).variable).toBe('HASH_WORKERS');
  });

  it('allows a bcrypt cost below 10 only in tests', () => {
    expect(fromEnv({ NODE_ENV: 'test', BCRYPT_COST: '4' }).bcryptCost).toBe(4);
    expect(failure({ NODE_ENV: 'production', BCRYPT_COST: '4' }).variable).toBe('BCRYPT_COST');
  });

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

describe('DATABASE_URL', () => {
  it('defaults to SQLite in DATA_DIR', () => {
    expect(AppConfig.fromEnv({ DATA_DIR: '/srv/auth' }).database).toEqual({
      kind: 'sqlite',
      file: '/srv/auth/auth.sqlite',
    });
  });

  it.each([
    ['memory:', { kind: 'memory' }],
    ['postgres://app@db:5432/auth', { kind: 'postgres', url: 'postgres://app@db:5432/auth' }],
    ['postgresql://app@db/auth', { kind: 'postgres', url: 'postgresql://app@db/auth' }],
    ['sqlite:/var/lib/auth.db', { kind: 'sqlite', file: '/var/lib/auth.db' }],
  ])('reads %s', (url, expected) => {
    expect(AppConfig.fromEnv({ DATABASE_URL: url }).database).toEqual(expected);
  });

  it('refuses anything else without echoing it (it may hold a password)', () => {
    expect(() => AppConfig.fromEnv({ DATABASE_URL: 'mysql://root:hunter2@db/auth' })).toThrow(
      /^DATABASE_URL must be/,
    );
    expect(() => AppConfig.fromEnv({ DATABASE_URL: 'mysql://root:hunter2@db/auth' })).not.toThrow(
      /hunter2/,
    );
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

describe('abuse and scale-out settings', () => {
  it('has the documented defaults', () => {
    const config = AppConfig.fromEnv({});
    expect(config.abuse).toEqual({
      loginMaxFailures: 10,
      loginFailureWindowSeconds: 900,
      loginMaxFailuresAccount: 100,
      loginMaxFailuresPerAddress: 100,
      rateLimitPerIp: 30,
      passwordDenylist: true,
    });
    expect(config.redis).toBeUndefined();
    expect(config.trustProxy).toBe(false);
  });

  it('reads REDIS_URL with its key prefix, and refuses other schemes', () => {
    expect(AppConfig.fromEnv({ REDIS_URL: 'redis://cache:6379/2' }).redis).toEqual({
      url: 'redis://cache:6379/2',
      keyPrefix: 'auth:',
    });
    expect(() => AppConfig.fromEnv({ REDIS_URL: 'http://cache' })).toThrow(/^REDIS_URL /);
  });

  it.each([
    ['2', 2],
    ['false', false],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 192.168.1.1,loopback', ['10.0.0.0/8', '192.168.1.1', 'loopback']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
  ])('reads TRUST_PROXY=%p', (value, expected) => {
    expect(AppConfig.fromEnv({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it.each(['true', 'proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/1'])(
    'refuses TRUST_PROXY=%p',
    (value) => {
      expect(() => AppConfig.fromEnv({ TRUST_PROXY: value })).toThrow(/^TRUST_PROXY /);
    },
  );

  it('reads the limits and PASSWORD_DENYLIST', () => {
    const config = AppConfig.fromEnv({
      LOGIN_MAX_FAILURES: '5',
      LOGIN_FAILURE_WINDOW: '1h',
      LOGIN_MAX_FAILURES_ACCOUNT: '50',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '500',
      RATE_LIMIT_PER_IP: '0',
      PASSWORD_DENYLIST: 'off',
    });
    expect(config.abuse).toEqual({
      loginMaxFailures: 5,
      loginFailureWindowSeconds: 3600,
      loginMaxFailuresAccount: 50,
      loginMaxFailuresPerAddress: 500,
      rateLimitPerIp: 0,
      passwordDenylist: false,
    });
    expect(() => AppConfig.fromEnv({ PASSWORD_DENYLIST: 'maybe' })).toThrow(/^PASSWORD_DENYLIST /);
    expect(() => AppConfig.fromEnv({ LOGIN_MAX_FAILURES: '0' })).toThrow(/^LOGIN_MAX_FAILURES /);
  });

  it('reads LOGIN_MAX_FAILURES_ACCOUNT (at least 1: NIST’s cap cannot be turned off)', () => {
    expect(fromEnv({ LOGIN_MAX_FAILURES_ACCOUNT: '1' }).abuse.loginMaxFailuresAccount).toBe(1);
    for (const value of ['0', '-1', 'many', '1.5']) {
      expect(failure({ LOGIN_MAX_FAILURES_ACCOUNT: value }).variable).toBe(
        'LOGIN_MAX_FAILURES_ACCOUNT',
      );
    }
  });

  it('reads LOGIN_MAX_FAILURES_PER_ADDRESS, 0 turning it off', () => {
    expect(fromEnv({ LOGIN_MAX_FAILURES_PER_ADDRESS: '0' }).abuse.loginMaxFailuresPerAddress).toBe(
      0,
    );
    for (const value of ['-1', 'lots', '2.5']) {
      expect(failure({ LOGIN_MAX_FAILURES_PER_ADDRESS: value }).variable).toBe(
        'LOGIN_MAX_FAILURES_PER_ADDRESS',
      );
    }
  });
});

describe('operations settings', () => {
  it('has the documented defaults', () => {
    const config = AppConfig.fromEnv({});
    expect(config).toMatchObject({
      logPretty: false,
      auditRetentionSeconds: 90 * 86400,
      shutdown: { drainSeconds: 5, timeoutSeconds: 15 },
      metrics: { enabled: false, token: undefined },
    });
  });

  it('reads them', () => {
    const config = AppConfig.fromEnv({
      LOG_PRETTY: '1',
      AUDIT_RETENTION: '30d',
      SHUTDOWN_DRAIN: '0',
      SHUTDOWN_TIMEOUT: '1m',
      METRICS_ENABLED: '1',
      METRICS_TOKEN: 'a-long-enough-token',
    });
    expect(config).toMatchObject({
      logPretty: true,
      auditRetentionSeconds: 30 * 86400,
      shutdown: { drainSeconds: 0, timeoutSeconds: 60 },
      metrics: { enabled: true, token: 'a-long-enough-token' },
    });
  });

  it.each([
    [{ LOG_PRETTY: '1', NODE_ENV: 'production' }, 'LOG_PRETTY'],
    [{ LOG_PRETTY: 'yes' }, 'LOG_PRETTY'],
    [{ METRICS_ENABLED: 'maybe' }, 'METRICS_ENABLED'],
    [{ METRICS_TOKEN: 'short' }, 'METRICS_TOKEN'],
    [{ AUDIT_RETENTION: 'forever' }, 'AUDIT_RETENTION'],
    [{ SHUTDOWN_TIMEOUT: '0' }, 'SHUTDOWN_TIMEOUT'],
  ])('refuses %p', (env, variable) => {
    expect(failure(env).variable).toBe(variable);
  });
});

describe('ROLES', () => {
  it('is user and admin unless ROLES adds more', () => {
    expect(fromEnv({}).roles).toEqual(['user', 'admin']);
    expect(fromEnv({ ROLES: ' editor, billing-ops ,editor,admin' }).roles).toEqual([
      'user',
      'admin',
      'editor',
      'billing-ops',
    ]);
  });

  it.each(['Editor', 'editor,has space', '9lives', 'a'.repeat(33), 'x_y', 'é'])(
    'refuses %s, naming the variable',
    (value) => {
      const error = failure({ ROLES: value });
      expect(error.variable).toBe('ROLES');
    },
  );
});

describe('AppConfig.fromEnv: browsers on other origins', () => {
  it('has no CORS and no refresh token cookie by default', () => {
    expect(fromEnv({}).browser).toEqual({ corsOrigins: [], refreshTokenCookie: false });
  });

  it('takes exact origins, trimmed and deduplicated, and REFRESH_TOKEN_COOKIE=on', () => {
    const config = fromEnv({
      CORS_ORIGINS: ' https://app.example.com, http://localhost:5173 ,https://app.example.com',
      REFRESH_TOKEN_COOKIE: 'on',
    });
    expect(config.browser).toEqual({
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      refreshTokenCookie: true,
    });
  });

  it('takes * alone, without the cookie', () => {
    expect(fromEnv({ CORS_ORIGINS: '*' }).browser.corsOrigins).toBe('*');
  });

  it('refuses * together with REFRESH_TOKEN_COOKIE=on', () => {
    const error = failure({ CORS_ORIGINS: '*', REFRESH_TOKEN_COOKIE: 'on' });
    expect(error.variable).toBe('CORS_ORIGINS');
    expect(error.message).toContain('REFRESH_TOKEN_COOKIE=on');
  });

  it.each([
    'app.example.com',
    'https://app.example.com/',
    'https://app.example.com/path',
    'https://*.example.com',
    'https://app.example.com:443',
    'ftp://app.example.com',
    'https://app.example.com,*',
  ])('refuses CORS_ORIGINS=%s, which no browser Origin would ever equal', (value) => {
    expect(failure({ CORS_ORIGINS: value }).variable).toBe('CORS_ORIGINS');
  });

  it('refuses a REFRESH_TOKEN_COOKIE other than on or off', () => {
    expect(failure({ REFRESH_TOKEN_COOKIE: 'yes' }).variable).toBe('REFRESH_TOKEN_COOKIE');
  });
});
