import { isIP } from 'node:net';
import { ConfigError } from './config.error.js';
import type { EnvReader } from './env-reader.js';

/**
 * Passkeys (WebAuthn): on only when WEBAUTHN_RP_ID is set. The RP id can never change without
 * orphaning every passkey made under it, so it has no default.
 */
export interface WebauthnConfig {
  /** WEBAUTHN_RP_ID: a registrable domain (or `localhost`), never an IP address. */
  readonly rpId: string;
  /** WEBAUTHN_RP_NAME: shown by browsers and authenticators; default MFA_ISSUER. */
  readonly rpName: string;
  /** WEBAUTHN_ORIGINS: the exact origins whose pages may use passkeys; default PUBLIC_URL's. */
  readonly origins: readonly string[];
}

/** A DNS name: dot-separated labels of letters, digits and `-` (WebAuthn L3 §5.1.3: a valid domain). */
const DOMAIN =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

/**
 * The passkeys section: undefined (passkeys off, their routes 404) without WEBAUTHN_RP_ID. Refused
 * at start, naming the variable: an RP id that is an IP address (browsers refuse those, WebAuthn
 * L3 §5.1.3), an origin outside the RP id's domain (its pages could never use the passkeys), and an
 * origin that is not https except `http://localhost:<any port>` (browsers treat only that as a
 * secure context over plain http).
 */
export function parseWebauthnConfig(
  read: EnvReader,
  publicUrl: string,
  mfaIssuer: string,
): WebauthnConfig | undefined {
  const rawRpId = read.optional('WEBAUTHN_RP_ID')?.trim();
  if (rawRpId === undefined) return undefined;
  const rpId = parseRpId(rawRpId);
  const listed = read.optional('WEBAUTHN_ORIGINS');
  const origins =
    listed === undefined
      ? [
          parseOrigin(
            new URL(publicUrl).origin,
            rpId,
            'WEBAUTHN_ORIGINS',
            ' (the origin of PUBLIC_URL, its default)',
          ),
        ]
      : listed
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
          .map((entry) => parseOrigin(entry, rpId, 'WEBAUTHN_ORIGINS'));
  if (origins.length === 0) {
    throw new ConfigError('WEBAUTHN_ORIGINS', 'must list at least one origin');
  }
  return {
    rpId,
    rpName: read.string('WEBAUTHN_RP_NAME', mfaIssuer),
    origins: [...new Set(origins)],
  };
}

function parseRpId(text: string): string {
  const unbracketed = text.replace(/^\[(.*)\]$/, '$1');
  if (isIP(unbracketed) !== 0) {
    throw new ConfigError(
      'WEBAUTHN_RP_ID',
      `must be a domain name, not an IP address: browsers refuse passkeys for an IP address (got "${text}")`,
    );
  }
  const rpId = text.toLowerCase();
  if (!DOMAIN.test(rpId)) {
    throw new ConfigError(
      'WEBAUTHN_RP_ID',
      `must be a bare domain name such as example.com or localhost, without scheme, port or path (got "${text}")`,
    );
  }
  return rpId;
}

/** One origin: scheme, host and port only, inside the RP id's domain, https or http://localhost. */
function parseOrigin(entry: string, rpId: string, variable: string, note = ''): string {
  let url: URL | undefined;
  try {
    url = new URL(entry);
  } catch {
    url = undefined;
  }
  const bare =
    url !== undefined &&
    (url.protocol === 'https:' || url.protocol === 'http:') &&
    url.pathname === '/' &&
    !/[?#]/.test(entry) &&
    !url.username &&
    !url.password;
  if (!url || !bare) {
    throw new ConfigError(
      variable,
      `must be comma-separated origins like https://app.example.com (scheme, host and port only; got "${entry}"${note})`,
    );
  }
  const localhost = url.protocol === 'http:' && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !localhost) {
    throw new ConfigError(
      variable,
      `must be https origins; plain http only for http://localhost with any port (got "${entry}"${note})`,
    );
  }
  if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
    throw new ConfigError(
      variable,
      `must be origins on WEBAUTHN_RP_ID "${rpId}" or its subdomains: a page elsewhere cannot use its passkeys (got "${entry}"${note})`,
    );
  }
  return url.origin;
}
