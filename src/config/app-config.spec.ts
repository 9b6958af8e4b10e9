import { availableParallelism } from 'node:os';
import { describe, expect, it } from '@jest/globals';
import { failure, fromEnv } from '../../test/support/config.js';
import { AppConfig } from './app-config.js';

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

describe('scale-out settings', () => {
  it('keeps shared state in this process unless REDIS_URL is set', () => {
    expect(AppConfig.fromEnv({}).redis).toBeUndefined();
  });

  it('reads REDIS_URL with its key prefix, and refuses other schemes', () => {
    expect(AppConfig.fromEnv({ REDIS_URL: 'redis://cache:6379/2' }).redis).toEqual({
      url: 'redis://cache:6379/2',
      keyPrefix: 'auth:',
    });
    expect(() => AppConfig.fromEnv({ REDIS_URL: 'http://cache' })).toThrow(/^REDIS_URL /);
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
