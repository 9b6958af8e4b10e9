import { ConfigError } from './config.error.js';
import type { EnvReader } from './env-reader.js';

/** One OpenID Connect provider people may sign in with (OIDC_PROVIDERS and its OIDC_<ID>_* variables). */
export interface OidcProviderConfig {
  /** Our id for it: in URLs (`/oauth/<id>/callback`), tokens (`idp`) and the identities we store. */
  readonly id: string;
  /** Shown to users (OIDC_<ID>_NAME; default the id). */
  readonly name: string;
  /** The issuer identifier exactly as written (discovery: `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  readonly clientId: string;
  /** OIDC_<ID>_CLIENT_SECRET: never logged or echoed. */
  readonly clientSecret: string;
  /** OIDC_<ID>_SCOPES split on spaces; always holds `openid`. */
  readonly scopes: readonly string[];
  /** OIDC_<ID>_TRUST_EMAIL=on: the provider's `email_verified: true` counts as our verification. */
  readonly trustEmail: boolean;
  /** OIDC_<ID>_SIGNUP=on: an unknown identity with no matching account creates one. */
  readonly signup: boolean;
  /** The redirect URI registered at the provider: PUBLIC_URL + `/oauth/<id>/callback`. */
  readonly callbackUrl: string;
}

export interface OidcConfig {
  readonly providers: readonly OidcProviderConfig[];
  /**
   * LOGIN_REDIRECT_URIS: where apps may ask to be sent back after a sign-in through a provider, as
   * the WHATWG URL parser writes them (a browser's form); checked with isAllowedRedirectUri.
   */
  readonly loginRedirectUris: readonly string[];
  /** REAUTH_MAX_AGE: how recent an interactive sign-in stands in for the password of an account without one. */
  readonly reauthMaxAgeSeconds: number;
}

/** Lower-case ASCII, as role names: the id reads the same in a URL, a token and a variable name. */
export const OIDC_PROVIDER_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/;

export const DEFAULT_OIDC_SCOPES = 'openid email profile';

/** Hosts that may be reached over plain http: this machine (RFC 8252 §8.3 names the same three). */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** Loopback IP literals, whose port an app picks at run time (RFC 8252 §7.3); not `localhost` (§8.3). */
const LOOPBACK_IPS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]']);

/** Whether a URL's hostname (as `URL.hostname` writes it) is this machine. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname);
}

/**
 * The OpenID Connect section. `publicUrl` is PUBLIC_URL when it was set explicitly: each provider
 * has the redirect URI PUBLIC_URL/oauth/<id>/callback registered, so a URL derived from HOST and
 * PORT (which the provider could not reach or would not match) refuses to start.
 */
export function parseOidcConfig(read: EnvReader, publicUrl: string | undefined): OidcConfig {
  const ids = parseProviderIds(read.optional('OIDC_PROVIDERS'));
  if (ids.length > 0 && publicUrl === undefined) {
    throw new ConfigError(
      'PUBLIC_URL',
      'is required with OIDC_PROVIDERS: each provider redirects back to PUBLIC_URL/oauth/<id>/callback',
    );
  }
  return {
    providers: ids.map((id) => parseProvider(read, id, publicUrl ?? '')),
    loginRedirectUris: parseLoginRedirectUris(read.optional('LOGIN_REDIRECT_URIS')),
    reauthMaxAgeSeconds: read.duration('REAUTH_MAX_AGE', '5m', 1),
  };
}

function parseProviderIds(value: string | undefined): string[] {
  const ids = (value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter(Boolean);
  const seen = new Set<string>();
  for (const id of ids) {
    if (!OIDC_PROVIDER_ID_PATTERN.test(id)) {
      throw new ConfigError(
        'OIDC_PROVIDERS',
        `must be comma-separated provider ids of lower-case letters, digits and "-", at most 32 characters (got "${id}")`,
      );
    }
    if (seen.has(id)) throw new ConfigError('OIDC_PROVIDERS', `names "${id}" twice`);
    seen.add(id);
  }
  return ids;
}

function parseProvider(read: EnvReader, id: string, publicUrl: string): OidcProviderConfig {
  const prefix = `OIDC_${id.toUpperCase().replaceAll('-', '_')}_`;
  const required = (suffix: string): string => {
    const value = read.optional(prefix + suffix)?.trim();
    if (value === undefined) {
      throw new ConfigError(
        prefix + suffix,
        `is required for the provider "${id}" in OIDC_PROVIDERS`,
      );
    }
    return value;
  };
  const issuer = parseIssuer(prefix + 'ISSUER', required('ISSUER'));
  const clientId = required('CLIENT_ID');
  const clientSecret = required('CLIENT_SECRET');
  const scopes = read
    .string(prefix + 'SCOPES', DEFAULT_OIDC_SCOPES)
    .split(/\s+/)
    .filter(Boolean);
  if (!scopes.includes('openid')) {
    throw new ConfigError(
      prefix + 'SCOPES',
      `must include openid: without it the provider issues no ID token (got "${scopes.join(' ')}")`,
    );
  }
  return {
    id,
    name: read.string(prefix + 'NAME', id),
    issuer,
    clientId,
    clientSecret,
    scopes: [...new Set(scopes)],
    trustEmail: read.oneOf(prefix + 'TRUST_EMAIL', ['on', 'off'], 'off') === 'on',
    signup: read.oneOf(prefix + 'SIGNUP', ['on', 'off'], 'on') === 'on',
    callbackUrl: `${publicUrl}/oauth/${id}/callback`,
  };
}

/**
 * An issuer identifier: https with no query or fragment (OpenID Connect Discovery 1.0 §2), kept as
 * written because the ID token's `iss` must equal it. Plain http only to this machine.
 */
function parseIssuer(variable: string, text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(variable, `must be an absolute https URL (got "${text}")`);
  }
  const plainHttpAllowed = url.protocol === 'http:' && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !plainHttpAllowed) {
    throw new ConfigError(
      variable,
      `must be an https URL; plain http only to 127.0.0.1, [::1] or localhost (got "${text}")`,
    );
  }
  if (url.search || url.hash || text.includes('?') || text.includes('#')) {
    throw new ConfigError(variable, 'must not have a query or a fragment');
  }
  if (url.username || url.password) throw new ConfigError(variable, 'must not carry credentials');
  return text;
}

/**
 * LOGIN_REDIRECT_URIS: the exact URIs apps may be sent back to (RFC 9700 §4.1.3). Refused: a
 * fragment (RFC 6749 §3.1.2), plain http to a host other than this machine (the code would cross
 * the network in the clear), credentials, and a scheme other than http(s) that is not reverse-DNS
 * (RFC 8252 §7.1; this also shuts out `javascript:` and `data:`).
 */
function parseLoginRedirectUris(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const uris = entries.map((entry) => {
    const refuse = (reason: string): never => {
      throw new ConfigError('LOGIN_REDIRECT_URIS', `${reason} (got "${entry}")`);
    };
    const url = parseUrl(entry) ?? refuse('must be comma-separated absolute URIs');
    if (entry.includes('#')) refuse('must not have a fragment');
    if (url.username || url.password) refuse('must not carry credentials');
    if (url.protocol === 'http:') {
      if (!isLoopbackHost(url.hostname)) {
        refuse('must be https; plain http only to 127.0.0.1, [::1] or localhost');
      }
    } else if (
      url.protocol !== 'https:' &&
      !/^[a-z][a-z0-9+-]*\.[a-z0-9.+-]+:$/.test(url.protocol)
    ) {
      refuse('must be https, http to this machine, or an app scheme in reverse-DNS form');
    }
    if (url.host === '' && (url.protocol === 'https:' || url.protocol === 'http:')) {
      refuse('must name a host');
    }
    return url.href;
  });
  return [...new Set(uris)];
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** `http://127.0.0.1/cb?x` for `http://127.0.0.1:53121/cb?x`: a loopback URI less its port. */
function withoutPort(url: URL): string {
  const copy = new URL(url.href);
  copy.port = '';
  return copy.href;
}

/**
 * Whether an app may be sent back to `candidate`: it must equal an allowed entry (RFC 9700 §4.1.3:
 * no prefixes, no wildcards), both as the WHATWG URL parser writes them, which is where a browser
 * will go (so the case of a host or an explicit default port changes nothing, while a path, a
 * trailing slash or a query does). The one freedom: an allowed `http://127.0.0.1/…` or
 * `http://[::1]/…` entry matches any port, which a native app picks at run time (RFC 8252 §7.3);
 * `localhost` gets none (RFC 8252 §8.3 asks for the IP literal). A candidate with credentials or a
 * fragment never matches.
 */
export function isAllowedRedirectUri(allowed: readonly string[], candidate: string): boolean {
  const url = parseUrl(candidate);
  if (url === undefined || url.username || url.password || candidate.includes('#')) return false;
  const href = url.href;
  if (allowed.some((entry) => parseUrl(entry)?.href === href)) return true;
  if (url.protocol !== 'http:' || !LOOPBACK_IPS.has(url.hostname)) return false;
  const portless = withoutPort(url);
  return allowed.some((entry) => {
    const allowedUrl = parseUrl(entry);
    return (
      allowedUrl !== undefined &&
      allowedUrl.protocol === 'http:' &&
      LOOPBACK_IPS.has(allowedUrl.hostname) &&
      !allowedUrl.username &&
      !allowedUrl.password &&
      !allowedUrl.hash &&
      withoutPort(allowedUrl) === portless
    );
  });
}
