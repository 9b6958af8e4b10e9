import type { KeyObject } from 'node:crypto';
import { ConfigError } from './config.error.js';
import type { EnvReader } from './env-reader.js';
import { parsePrivateKey, parseSecret } from './jwt-secret.rules.js';

export const JWT_ALGORITHMS = ['HS256', 'RS256', 'ES256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

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
 * A spent refresh token is answered for at most this long: the window exists for concurrent and
 * retried requests (seconds), and the longer it is, the longer a stolen spent token still works.
 */
export const MAX_REFRESH_REUSE_INTERVAL_SECONDS = 300;

/**
 * The tokens section: JWT_ALGORITHM and its key, the issuer and audience, the lifetimes, and the
 * keys beside the signing key. `publicUrl` is PUBLIC_URL when set (it is then the issuer).
 */
export function parseTokensConfig(
  read: EnvReader,
  publicUrl: string | undefined,
): { readonly jwt: JwtConfig; readonly secrets: SecretsConfig } {
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
    throw new ConfigError('JWT_SECRET', `is only used with JWT_ALGORITHM=HS256 (got ${algorithm})`);
  }
  if (privateKey !== undefined && algorithm === 'HS256') {
    throw new ConfigError('JWT_PRIVATE_KEY', 'is only used with JWT_ALGORITHM=RS256 or ES256');
  }
  return {
    jwt: {
      algorithm,
      secret: secret === undefined ? undefined : parseSecret('JWT_SECRET', secret),
      privateKey: privateKey === undefined ? undefined : parsePrivateKey(privateKey, algorithm),
      issuer: parseIssuer(read.optional('JWT_ISSUER')?.trim(), publicUrl),
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
  };
}

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
