import { createHash, randomBytes } from 'node:crypto';

/**
 * Opaque bearer secrets (refresh tokens, mailed links, MFA login tokens): 256 bits from the
 * CSPRNG, base64url (43 characters).
 */
export function generateOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What is stored instead of the token. A fast hash is enough: 256 random bits leave nothing to
 * brute-force, and a database leak reveals no usable token.
 */
export function hashOpaqueToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
