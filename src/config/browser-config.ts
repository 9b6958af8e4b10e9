import { ConfigError } from './config.error.js';
import type { EnvReader } from './env-reader.js';

/**
 * Browsers on other origins. `origins`: the exact origins of CORS_ORIGINS (empty: no CORS headers),
 * or `*` for any origin without credentials. `refreshTokenCookie`: REFRESH_TOKEN_COOKIE=on.
 */
export interface BrowserConfig {
  readonly corsOrigins: readonly string[] | '*';
  readonly refreshTokenCookie: boolean;
}

/**
 * CORS_ORIGINS: comma-separated exact origins (`https://app.example.com`, `http://localhost:5173`),
 * or `*`. An origin is scheme, host and port only: a path, a wildcard in a host or a trailing
 * slash would never equal the Origin header a browser sends, so it is refused rather than ignored.
 */
export function parseBrowserConfig(read: EnvReader): BrowserConfig {
  const text = read.optional('CORS_ORIGINS')?.trim() ?? '';
  const refreshTokenCookie = read.oneOf('REFRESH_TOKEN_COOKIE', ['on', 'off'], 'off') === 'on';
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
