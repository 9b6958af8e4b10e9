import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAbuseConfig, type AbuseConfig } from './abuse-config.js';
import { parseBrowserConfig, type BrowserConfig } from './browser-config.js';
import { ConfigError } from './config.error.js';
import { EnvReader } from './env-reader.js';
import { parseIntrospectionClients, type IntrospectionClient } from './introspection-config.js';
import { parseMailConfig, type MailConfig } from './mail-config.js';
import { parseOidcConfig, type OidcConfig } from './oidc-config.js';
import { parseTrustProxy, type TrustProxy } from './proxy-config.js';
import { parseTokensConfig, type JwtConfig, type SecretsConfig } from './tokens-config.js';
import { parseWebauthnConfig, type WebauthnConfig } from './webauthn-config.js';
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

export interface RedisConfig {
  readonly url: string;
  /** Prefix of every key and channel, so several services can share one Redis. */
  readonly keyPrefix: string;
}

export interface MfaConfig {
  /** The issuer shown in authenticator apps (MFA_ISSUER; default: the host of PUBLIC_URL). */
  readonly issuer: string;
  /** MFA_ENCRYPTION_KEY (32 bytes); undefined means "generate one in DATA_DIR" (not in production). */
  readonly encryptionKey: Buffer | undefined;
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
  readonly trustProxy: TrustProxy;
  /** Mail delivery, account-recovery links and email verification. */
  readonly mail: MailConfig;
  /** The role names accounts may hold: `user` and `admin`, then those ROLES adds. */
  readonly roles: readonly string[];
  /** CORS_ORIGINS and REFRESH_TOKEN_COOKIE. */
  readonly browser: BrowserConfig;
  /** Sign-in through OpenID Connect providers: OIDC_PROVIDERS, LOGIN_REDIRECT_URIS, REAUTH_MAX_AGE. */
  readonly oidc: OidcConfig;
  /** Passkeys: WEBAUTHN_RP_ID, WEBAUTHN_RP_NAME, WEBAUTHN_ORIGINS; undefined while they are off. */
  readonly webauthn: WebauthnConfig | undefined;

  constructor(values: { readonly [K in keyof AppConfig]: AppConfig[K] }) {
    Object.assign(this, values);
  }

  /**
   * Builds the configuration from environment variables; throws ConfigError naming the bad one.
   * Each section reads its own variables (tokens-config.ts, browser-config.ts, …).
   */
  static fromEnv(env: Record<string, string | undefined>): AppConfig {
    const read = new EnvReader(env);
    const environment = read.oneOf('NODE_ENV', ENVIRONMENTS, 'development');
    const dataDir = resolve(read.string('DATA_DIR', './data'));
    const port = read.integer('PORT', 3000, 0, 65535);
    const host = read.string('HOST', '127.0.0.1');
    const explicitPublicUrl = read.optional('PUBLIC_URL');
    const publicUrl =
      explicitPublicUrl === undefined
        ? derivedPublicUrl(host, port)
        : parsePublicUrl(explicitPublicUrl);
    const mfaIssuer = read.string('MFA_ISSUER', new URL(publicUrl).host);
    const { jwt, secrets } = parseTokensConfig(
      read,
      explicitPublicUrl === undefined ? undefined : publicUrl,
    );
    return new AppConfig({
      environment,
      port,
      host,
      publicUrl,
      publicUrlExplicit: explicitPublicUrl !== undefined,
      dataDir,
      database: parseDatabaseUrl(read.optional('DATABASE_URL'), dataDir),
      jwt,
      secrets,
      bcryptCost: read.integer('BCRYPT_COST', 12, environment === 'test' ? 4 : MIN_BCRYPT_COST, 20),
      hashWorkers: read.integer('HASH_WORKERS', availableParallelism(), 1, 256),
      logLevel: read.oneOf('LOG_LEVEL', LOG_LEVELS, 'info'),
      logPretty: parseLogPretty(read.optional('LOG_PRETTY'), environment),
      redis: parseRedis(read.optional('REDIS_URL'), read.string('REDIS_KEY_PREFIX', 'auth:')),
      abuse: parseAbuseConfig(read),
      trustProxy: parseTrustProxy(read),
      roles: parseRoles(read.optional('ROLES')),
      browser: parseBrowserConfig(read),
      introspectionClients: parseIntrospectionClients(read),
      oidc: parseOidcConfig(read, explicitPublicUrl === undefined ? undefined : publicUrl),
      webauthn: parseWebauthnConfig(read, publicUrl, mfaIssuer),
      mfa: {
        issuer: mfaIssuer,
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
