import { createHmac, type KeyObject } from 'node:crypto';
import { generateOpaqueToken, hashOpaqueToken } from '../../common/security/opaque-token.js';

/** 256 bits from the CSPRNG, base64url: opaque to clients, unguessable. A session's first token. */
export function generateRefreshToken(): string {
  return generateOpaqueToken();
}

/**
 * The token that succeeds `parent` at rotation: HMAC-SHA256 under REFRESH_TOKEN_SECRET, 256 bits
 * encoded like a generated token. Unpredictable without the key, yet any instance shown a recent
 * ancestor can recompute the session's current token, so a retried refresh gets the answer the
 * first one got with nothing but hashes stored.
 */
export function deriveRefreshToken(key: KeyObject, parent: string): string {
  return createHmac('sha256', key).update(parent).digest('base64url');
}

/**
 * Only this hash is stored. A fast hash is enough: the token has 256 bits of entropy, so there is
 * nothing to brute-force, and a database leak reveals no usable token.
 */
export function hashRefreshToken(token: string): string {
  return hashOpaqueToken(token);
}
