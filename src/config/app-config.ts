import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { ConfigError } from './config.error.js';
import { EnvReader } from './env-reader.js';
import { parseMailConfig, type MailConfig } from './mail-config.js';
import { parsePrivateKey, parseSecret } from './jwt-secret.rules.js';
import { BUILT_IN_ROLES, ROLE_NAME_PATTERN } from './roles.js';

export type Environment = 'development' | 'production' | 'test';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

const LOG_LEVELS: readonly LogLevel[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];
const ENVIRONMENTS: readonly Environment[] = ['development', 'production', 'test'];

/** bcrypt cost below this is too cheap for real passwords; tests may go lower to stay fast. */
export const MIN_BCRYPT_COST = 10;

export type DatabaseConfig =
  | { readonly kind: 'memory' }
  | { readonly kind: 'sqlite'; readonly file: string }
  | { readonly kind: 'postgres'; readonly url: string };

export const SQLITE_FILE_NAME = 'auth.sqlite';

export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface RedisConfig {
  readonly url: string;
  /** Prefix of every key and channel, so several services can share one Redis. */
  readonly keyPrefix: string;
}

export interface AbuseConfig {
  /**
   * Failed logins per account and client (an address, or a device cookie) within the window before
   * that client answers 429 for that account.
   */
  readonly loginMaxFailures: number;
  readonly loginFailureWindowSeconds: number;
  /** Failed logins per account within the window, from clients it does not know, before 429. */
  readonly loginMaxFailuresAccount: number;
  /** Failed logins per address, across accounts, per 24 h; 0 turns it off. */
  readonly loginMaxFailuresPerAddress: number;
  /** Requests per minute per client IP on /login, /signup and /refresh each; 0 turns it off. */
  readonly rateLimitPerIp: number;
  /** Refuse the commonest passwords (PASSWORD_DENYLIST=off turns it off). */
  readonly passwordDenylist: boolean;
}

export interface MfaConfig {
  /** The issuer shown in authenticator apps (MFA_ISSUER; default: the host of PUBLIC_URL). */
  readonly issuer: string;
  /** MFA_ENCRYPTION_KEY (32 bytes); undefined means "generate one in DATA_DIR" (not in production). */
  readonly encryptionKey: Buffer | undefined;
}

/** A resource server that may introspect tokens, authenticating with HTTP Basic. */
export interface IntrospectionClient {
  readonly id: string;
  readonly secret: string;
}

/**
 * Browsers on other origins. `origins`: the exact origins of CORS_ORIGINS (empty: no CORS headers),
 * or `*` for any origin without credentials. `refreshTokenCookie`: REFRESH_TOKEN_COOKIE=on.
 */
export interface BrowserConfig {
  readonly corsOrigins: readonly string[] | '*';
  readonly refreshTokenCookie: boolean;
}

export interface JwtConfig {
  readonly algorithm: JwtAlgorithm;
  /** HS256 key from JWT_SECRET; undefined means "generate one and keep it in DATA_DIR". */
  readonly secret: KeyObject | undefined;
  /** RS256/ES256 key from JWT_PRIVATE_KEY; undefined means "generate one in DATA_DIR". */
  readonly privateKey: KeyObject | undefined;
  readonly issuer: string;
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /**
   * How long after its rotation a refresh token presented again still answers the session's
   * current token (concurrent or retried refreshes) instead of ending the session; 0 turns it off.
   */
  readonly refreshReuseIntervalSeconds: number;
}

/** Keys of our own besides the signing keys; undefined means "generate one, keep it with the data". */
export interface SecretsConfig {
  /** REFRESH_TOKEN_SECRET: derives each refresh token from its parent (HMAC-SHA256). */
  readonly refreshToken: KeyObject | undefined;
  /** DEVICE_COOKIE_SECRET: signs the device cookies that mark a client known to an account. */
  readonly deviceCookie: KeyObject | undefined;
}

/**
 * The service's configuration, read from the environment once at boot and validated;
 * every other module reads it through this class (it is also the injection token).
 */
export class AppConfig {
  readonly environment: Environment;
  readonly port: number;
  readonly host: string;
  /**
   * The URL clients reach the service at (PUBLIC_URL, behind any proxy), without a trailing slash:
   * the base of every absolute URL we publish (server metadata, links in mails).
   */
  readonly publicUrl: string;
  /** Whether PUBLIC_URL was set, rather than derived from HOST and PORT. */
  readonly publicUrlExplicit: boolean;
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly jwt: JwtConfig;
  readonly secrets: SecretsConfig;
  readonly bcryptCost: number;
  /** Worker threads hashing passwords; one per core by default. */
  readonly hashWorkers: number;
  readonly logLevel: LogLevel;
  /** Human-readable logs (pino-pretty), for development only. */
  readonly logPretty: boolean;
  /** Redis for state shared by several instances; undefined keeps it in this process. */
  readonly redis: RedisConfig | undefined;
  readonly abuse: AbuseConfig;
  readonly metrics: { readonly enabled: boolean; readonly token: string | undefined };
  readonly shutdown: { readonly drainSeconds: number; readonly timeoutSeconds: number };
  /** Audit events older than this are deleted. */
  readonly auditRetentionSeconds: number;
  /**
   * AUDIT_TOKEN_REFRESHES: record every rotation as a `token_refreshed` event. Off by default: at a
   * few hundred refreshes a second that is tens of millions of rows a day, and the session row, the
   * request log and `auth_refreshes_total` already tell; reuse is always recorded.
   */
  readonly auditTokenRefreshes: boolean;
  /** Two-factor login (TOTP). */
  readonly mfa: MfaConfig;
  /** ADMIN_REQUIRE_MFA: admin routes refuse tokens whose login passed no second factor. */
  readonly adminRequireMfa: boolean;
  /** Resource servers allowed to call /introspect (RFC 7662), from INTROSPECTION_CLIENTS. */
  readonly introspectionClients: readonly IntrospectionClient[];
  /** Fastify's trustProxy: false (socket address), a hop count, or the proxies' addresses. */
  readonly trustProxy: false | number | string[];
  /** Mail delivery, account-recovery links and email verification. */
  readonly mail: MailConfig;
  /** The role names accounts may hold: `user` and `admin`, then those ROLES adds. */
  readonly roles: readonly string[];
  /** CORS_ORIGINS and REFRESH_TOKEN_COOKIE. */
  readonly browser: BrowserConfig;

  constructor(values: { readonly [K in keyof AppConfig]: AppConfig[K] }) {
    Object.assign(this, values);
  }

  /** Builds the configuration from environment variables; throws ConfigError naming the bad one. */
  static fromEnv(env: Record<string, string | undefined>): AppConfig {
    const read = new EnvReader(env);
    const environment = read.oneOf('NODE_ENV', ENVIRONMENTS, 'development');
    const algorithm = read.oneOf('JWT_ALGORITHM', JWT_ALGORITHMS, 'HS256', { caseSensitive: true });
    const secret = read.optional('JWT_SECRET');
    const refreshTokenSecret = read.optional('REFRESH_TOKEN_SECRET');
    const deviceCookieSecret = read.optional('DEVICE_COOKIE_SECRET');
    assertDistinctSecrets({
      JWT_SECRET: secret,
      REFRESH_TOKEN_SECRET: refreshTokenSecret,
      DEVICE_COOKIE_SECRET: deviceCookieSecret,
    });
    const privateKey = read.optional('JWT_PRIVATE_KEY');
    if (secret !== undefined && algorithm !== 'HS256') {
      throw new ConfigError(
        'JWT_SECRET',
        `is only used with JWT_ALGORITHM=HS256 (got ${algorithm})`,
      );
    }
    if (privateKey !== undefined && algorithm === 'HS256') {
      throw new ConfigError('JWT_PRIVATE_KEY', 'is only used with JWT_ALGORITHM=RS256 or ES256');
    }
    const dataDir = resolve(read.string('DATA_DIR', './data'));
    const port = read.integer('PORT', 3000, 0, 65535);
    const host = read.string('HOST', '127.0.0.1');
    const explicitPublicUrl = read.optional('PUBLIC_URL');
    const publicUrl =
      explicitPublicUrl === undefined
        ? derivedPublicUrl(host, port)
        : parsePublicUrl(explicitPublicUrl);
    return new AppConfig({
      environment,
      port,
      host,
      publicUrl,
      publicUrlExplicit: explicitPublicUrl !== undefined,
      dataDir,
      database: parseDatabaseUrl(read.optional('DATABASE_URL'), dataDir),
      jwt: {
        algorithm,
        secret: secret === undefined ? undefined : parseSecret('JWT_SECRET', secret),
        privateKey: privateKey === undefined ? undefined : parsePrivateKey(privateKey, algorithm),
        issuer: parseIssuer(
          read.optional('JWT_ISSUER')?.trim(),
          explicitPublicUrl === undefined ? undefined : publicUrl,
        ),
        audience: read.string('JWT_AUDIENCE', 'nest-jwt-auth'),
        accessTokenTtlSeconds: read.duration('ACCESS_TOKEN_TTL', '15m', 1),
        refreshTokenTtlSeconds: read.duration('REFRESH_TOKEN_TTL', '30d', 60),
        refreshReuseIntervalSeconds: read.duration(
          'REFRESH_REUSE_INTERVAL',
          '10s',
          0,
          MAX_REFRESH_REUSE_INTERVAL_SECONDS,
        ),
      },
      secrets: {
        refreshToken:
          refreshTokenSecret === undefined
            ? undefined
            : parseSecret('REFRESH_TOKEN_SECRET', refreshTokenSecret),
        deviceCookie:
          deviceCookieSecret === undefined
            ? undefined
            : parseSecret('DEVICE_COOKIE_SECRET', deviceCookieSecret),
      },
      bcryptCost: read.integer('BCRYPT_COST', 12, environment === 'test' ? 4 : MIN_BCRYPT_COST, 20),
      hashWorkers: read.integer('HASH_WORKERS', availableParallelism(), 1, 256),
      logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      logPretty: parseLogPretty(read.optional('LOG_PRETTY'), environment),
      redis: parseRedis(read.optional('REDIS_URL'), read.string('REDIS_KEY_PREFIX', 'auth:')),
      abuse: {
        loginMaxFailures: read.integer('LOGIN_MAX_FAILURES', 10, 1, 10_000),
        loginFailureWindowSeconds: read.duration('LOGIN_FAILURE_WINDOW', '15m', 1),
        // NIST SP 800-63B §5.2.2: at most 100 consecutive failed attempts on one account.
        loginMaxFailuresAccount: read.integer('LOGIN_MAX_FAILURES_ACCOUNT', 100, 1, 1_000_000),
        loginMaxFailuresPerAddress: read.integer(
          'LOGIN_MAX_FAILURES_PER_ADDRESS',
          100,
          0,
          1_000_000,
        ),
        rateLimitPerIp: read.integer('RATE_LIMIT_PER_IP', 30, 0, 1_000_000),
        passwordDenylist: read.oneOf('PASSWORD_DENYLIST', ['on', 'off'], 'on') === 'on',
      },
      trustProxy: parseTrustProxy(read.optional('TRUST_PROXY')),
      roles: parseRoles(read.optional('ROLES')),
      browser: parseBrowserConfig(
        read.optional('CORS_ORIGINS'),
        read.oneOf('REFRESH_TOKEN_COOKIE', ['on', 'off'], 'off') === 'on',
      ),
      introspectionClients: parseIntrospectionClients(read.optional('INTROSPECTION_CLIENTS')),
      mfa: {
        issuer: read.string('MFA_ISSUER', new URL(publicUrl).host),
        encryptionKey: parseMfaKey(read.optional('MFA_ENCRYPTION_KEY')),
      },
      adminRequireMfa: read.oneOf('ADMIN_REQUIRE_MFA', ['on', 'off'], 'off') === 'on',
      auditRetentionSeconds: read.duration('AUDIT_RETENTION', '90d', 1),
      auditTokenRefreshes: read.oneOf('AUDIT_TOKEN_REFRESHES', ['on', 'off'], 'off') === 'on',
      shutdown: {
        drainSeconds: read.duration('SHUTDOWN_DRAIN', '5s', 0),
        timeoutSeconds: read.duration('SHUTDOWN_TIMEOUT', '15s', 1),
      },
      mail: parseMailConfig(read, environment, publicUrl),
      metrics: {
        enabled:
          read.oneOf('METRICS_ENABLED', ['0', '1', 'false', 'true'], '0').match(/^(1|true)$/) !==
          null,
        token: parseMetricsToken(read.optional('METRICS_TOKEN')),
      },
    });
  }
}

/**
 * A spent refresh token is answered for at most this long: the window exists for concurrent and
 * retried requests (seconds), and the longer it is, the longer a stolen spent token still works.
 */
export const MAX_REFRESH_REUSE_INTERVAL_SECONDS = 300;

/**
 * One key per purpose: a secret shared between signing tokens, deriving refresh tokens and signing
 * device cookies would let an output of one serve as an input to another.
 */
function assertDistinctSecrets(secrets: Record<string, string | undefined>): void {
  const seen = new Map<string, string>();
  for (const [variable, value] of Object.entries(secrets)) {
    if (value === undefined) continue;
    const earlier = seen.get(value);
    if (earlier)
      throw new ConfigError(variable, `must differ from ${earlier}: one key per purpose`);
    seen.set(value, variable);
  }
}

/** PUBLIC_URL: an absolute http(s) URL, no query or fragment; a path prefix is kept. */
function parsePublicUrl(value: string): string {
  const text = value.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('PUBLIC_URL', `must be an absolute http(s) URL (got "${text}")`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError('PUBLIC_URL', `must be an http:// or https:// URL (got "${text}")`);
  }
  if (url.search || url.hash || text.includes('?') || text.includes('#')) {
    throw new ConfigError('PUBLIC_URL', 'must not have a query or a fragment');
  }
  if (url.username || url.password) {
    throw new ConfigError('PUBLIC_URL', 'must not carry credentials');
  }
  return url.toString().replace(/\/+$/, '');
}

/** Unset PUBLIC_URL: where this process listens (an any-address bind is reached as localhost). */
function derivedPublicUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  const hostPart = isIP(reachable) === 6 ? `[${reachable}]` : reachable;
  return `http://${hostPart}:${port}`;
}

/**
 * JWT_ISSUER: when PUBLIC_URL is set, `iss` is that URL (RFC 9068 §2.2: the issuer identifier of
 * RFC 8414 metadata) and an explicit JWT_ISSUER must agree; when it is unset, `iss` stays a fixed
 * name, so instances on different ports keep accepting each other's tokens.
 */
function parseIssuer(issuer: string | undefined, publicUrl: string | undefined): string {
  if (publicUrl === undefined) return issuer ?? 'nest-jwt-auth';
  if (issuer !== undefined && issuer !== publicUrl) {
    throw new ConfigError(
      'JWT_ISSUER',
      `must equal PUBLIC_URL (${publicUrl}) when both are set: the issuer is the server's public URL (RFC 9068 §2.2)`,
    );
  }
  return publicUrl;
}

/**
 * DATABASE_URL: unset → SQLite in DATA_DIR; `memory:` → in-process only; `postgres://…` →
 * PostgreSQL; `sqlite:<path>` → SQLite at that path.
 */
function parseDatabaseUrl(url: string | undefined, dataDir: string): DatabaseConfig {
  if (url === undefined) return { kind: 'sqlite', file: join(dataDir, SQLITE_FILE_NAME) };
  const trimmed = url.trim();
  if (trimmed === 'memory:') return { kind: 'memory' };
  if (/^postgres(ql)?:\/\//.test(trimmed)) return { kind: 'postgres', url: trimmed };
  if (trimmed.startsWith('sqlite:')) {
    const file = trimmed.slice('sqlite:'.length).replace(/^\/\//, '');
    if (file) return { kind: 'sqlite', file: resolve(file) };
  }
  throw new ConfigError(
    'DATABASE_URL',
    'must be postgres://…, sqlite:<path> or memory: (or unset, for SQLite in DATA_DIR)',
  );
}

/** Long enough that guessing is hopeless, as RFC 7662 §4 asks of introspection credentials. */
export const MIN_INTROSPECTION_SECRET = 32;

/** INTROSPECTION_CLIENTS: comma-separated `client_id:client_secret` pairs. */
function parseIntrospectionClients(value: string | undefined): IntrospectionClient[] {
  if (value === undefined) return [];
  const clients = value.split(',').map((pair, index): IntrospectionClient => {
    const trimmed = pair.trim();
    const colon = trimmed.indexOf(':');
    const id = colon > 0 ? trimmed.slice(0, colon) : '';
    const secret = colon > 0 ? trimmed.slice(colon + 1) : '';
    // Never echo the pair: it holds a secret.
    if (!/^[A-Za-z0-9._~-]{1,64}$/.test(id)) {
      throw new ConfigError(
        'INTROSPECTION_CLIENTS',
        `entry ${index + 1} must be client_id:client_secret, the id made of letters, digits and . _ ~ - (at most 64)`,
      );
    }
    if (secret.length < MIN_INTROSPECTION_SECRET || /\s/.test(secret)) {
      throw new ConfigError(
        'INTROSPECTION_CLIENTS',
        `the secret of client "${id}" must be at least ${MIN_INTROSPECTION_SECRET} characters, without spaces`,
      );
    }
    return { id, secret };
  });
  const ids = new Set(clients.map((client) => client.id));
  if (ids.size !== clients.length) {
    throw new ConfigError('INTROSPECTION_CLIENTS', 'names a client_id more than once');
  }
  return clients;
}

/**
 * CORS_ORIGINS: comma-separated exact origins (`https://app.example.com`, `http://localhost:5173`),
 * or `*`. An origin is scheme, host and port only: a path, a wildcard in a host or a trailing
 * slash would never equal the Origin header a browser sends, so it is refused rather than ignored.
 */
function parseBrowserConfig(value: string | undefined, refreshTokenCookie: boolean): BrowserConfig {
  const text = value?.trim() ?? '';
  if (text === '*') {
    // Any site could then read a refresh token set for its visitor (and log them in): never both.
    if (refreshTokenCookie) {
      throw new ConfigError(
        'CORS_ORIGINS',
        'must list exact origins, not *, when REFRESH_TOKEN_COOKIE=on',
      );
    }
    return { corsOrigins: '*', refreshTokenCookie };
  }
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const origins = entries.map((entry) => {
    let origin: string | undefined;
    try {
      const url = new URL(entry);
      const web = url.protocol === 'http:' || url.protocol === 'https:';
      if (web && !url.hostname.includes('*')) origin = url.origin;
    } catch {
      // reported below
    }
    if (origin !== entry) {
      throw new ConfigError(
        'CORS_ORIGINS',
        `must be comma-separated exact origins like https://app.example.com or http://localhost:5173, or * (got "${entry}")`,
      );
    }
    return origin;
  });
  return { corsOrigins: [...new Set(origins)], refreshTokenCookie };
}

/** MFA_ENCRYPTION_KEY: 32 bytes as 64 hex characters (`openssl rand -hex 32`). */
function parseMfaKey(value: string | undefined): Buffer | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new ConfigError(
      'MFA_ENCRYPTION_KEY',
      'must be 32 bytes written as 64 hex characters (e.g. `openssl rand -hex 32`)',
    );
  }
  const key = Buffer.from(text, 'hex');
  if (key.every((byte) => byte === key[0])) {
    throw new ConfigError('MFA_ENCRYPTION_KEY', 'must be random, not one byte repeated');
  }
  return key;
}

/** ROLES: comma-separated role names besides the built-in `user` and `admin`. */
function parseRoles(value: string | undefined): string[] {
  const extra = (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of extra) {
    if (!ROLE_NAME_PATTERN.test(name)) {
      throw new ConfigError(
        'ROLES',
        `must be comma-separated role names of lower-case letters, digits and "-", starting with a letter, at most 32 characters (got "${name}")`,
      );
    }
  }
  return [...new Set([...BUILT_IN_ROLES, ...extra])];
}

const MIN_METRICS_TOKEN = 16;

function parseMetricsToken(token: string | undefined): string | undefined {
  if (token !== undefined && token.length < MIN_METRICS_TOKEN) {
    throw new ConfigError('METRICS_TOKEN', `must be at least ${MIN_METRICS_TOKEN} characters`);
  }
  return token;
}

function parseLogPretty(value: string | undefined, environment: Environment): boolean {
  if (value === undefined || value === '0' || value === 'false') return false;
  if (value !== '1' && value !== 'true') throw new ConfigError('LOG_PRETTY', 'must be 1 or 0');
  if (environment === 'production') {
    throw new ConfigError('LOG_PRETTY', 'is for development: production logs stay JSON');
  }
  return true;
}

function parseRedis(url: string | undefined, keyPrefix: string): RedisConfig | undefined {
  if (url === undefined) return undefined;
  if (!/^rediss?:\/\//.test(url.trim())) {
    throw new ConfigError('REDIS_URL', 'must be redis://… or rediss://…');
  }
  return { url: url.trim(), keyPrefix };
}

/** Names proxy-addr (Fastify's trustProxy) understands besides addresses and CIDR ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: unset or `false` → the socket's address, X-Forwarded-For ignored; a number → that
 * many proxy hops; otherwise a comma-separated list of the proxies' addresses or CIDR ranges.
 */
function parseTrustProxy(value: string | undefined): false | number | string[] {
  if (value === undefined || value.trim() === 'false') return false;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    if (PROXY_RANGE_NAMES.includes(entry)) return true;
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
  if (!valid) {
    throw new ConfigError(
      'TRUST_PROXY',
      'must be a hop count or a comma-separated list of proxy addresses or CIDR ranges (e.g. 10.0.0.0/8)',
    );
  }
  return entries;
}
