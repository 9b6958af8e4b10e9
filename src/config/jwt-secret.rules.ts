import { createPrivateKey, createSecretKey, type KeyObject } from 'node:crypto';
import type { JwtAlgorithm } from './tokens-config.js';
import { ConfigError } from './config.error.js';

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits). */
export const MIN_SECRET_BYTES = 32;

/** Fragments found in tutorial and template secrets; a real secret contains none of them. */
const PLACEHOLDER_MARKERS = [
  'yoursecret',
  'secretkey',
  'mysecret',
  'supersecret',
  'jwtsecret',
  'changeme',
  'changethis',
  'replaceme',
  'placeholder',
  'example',
  'default',
  'password',
  'xxxxxxxx',
];
const MIN_DISTINCT_CHARACTERS = 10;

/**
 * Turns a secret from the environment (JWT_SECRET, REFRESH_TOKEN_SECRET, DEVICE_COOKIE_SECRET) into
 * a KeyObject, refusing anything short or well known. The error names the rule, never the value.
 */
export function parseSecret(variable: string, raw: string): KeyObject {
  if (Buffer.byteLength(raw, 'utf8') < MIN_SECRET_BYTES) {
    throw new ConfigError(
      variable,
      `must be at least ${MIN_SECRET_BYTES} bytes (256 bits); generate one with \`openssl rand -base64 48\`, or leave it unset to have one generated and kept with the data`,
    );
  }
  const folded = raw.toLowerCase().replace(/[^a-z0-9]/g, '');
  const looksLikePlaceholder =
    PLACEHOLDER_MARKERS.some((marker) => folded.includes(marker)) ||
    new Set(raw).size < MIN_DISTINCT_CHARACTERS;
  if (looksLikePlaceholder) {
    throw new ConfigError(
      variable,
      'looks like a placeholder or a guessable value (such as "your_secret_key" or "changeme"); use a random value, e.g. `openssl rand -base64 48`',
    );
  }
  return createSecretKey(Buffer.from(raw, 'utf8'));
}

const MIN_RSA_BITS = 2048;

/**
 * Turns JWT_PRIVATE_KEY (PKCS#8 or traditional PEM; `\n` escapes allowed, as env files often
 * need) into a KeyObject, checking it fits the algorithm: RSA ≥ 2048 bits for RS256, P-256 for ES256.
 */
export function parsePrivateKey(raw: string, algorithm: JwtAlgorithm): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(raw.replace(/\\n/g, '\n'));
  } catch {
    throw new ConfigError('JWT_PRIVATE_KEY', 'is not a PEM private key');
  }
  const details = key.asymmetricKeyDetails;
  const fits =
    algorithm === 'RS256'
      ? key.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= MIN_RSA_BITS
      : key.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1';
  if (!fits) {
    throw new ConfigError(
      'JWT_PRIVATE_KEY',
      algorithm === 'RS256'
        ? `must be an RSA key of at least ${MIN_RSA_BITS} bits for RS256`
        : 'must be an EC key on the P-256 curve for ES256',
    );
  }
  return key;
}
