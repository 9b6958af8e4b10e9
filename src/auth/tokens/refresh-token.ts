import { createHash, randomBytes } from 'node:crypto';

/** 256 bits from the CSPRNG, base64url: opaque to clients, unguessable. */
export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Only this hash is stored. A fast hash is enough: the token has 256 bits of entropy, so there is
 * nothing to brute-force, and a database leak reveals no usable token.
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
