import { Injectable } from '@nestjs/common';
import { createVerifier, TokenError } from 'fast-jwt';
import { AppConfig } from '../config/app-config.js';
import { invalidToken, tokenExpired } from './bearer-challenges.js';
import type { AccessTokenClaims } from './access-token.claims.js';
import type { SigningKey } from './signing-key.js';
import { SigningKeys } from './signing-keys.js';

type Verify = (token: string) => unknown;

/** How many verified tokens are remembered (each until it expires): the hot path. */
const CACHE_SIZE = 10_000;
/** `roles` is not required: tokens issued before it existed stay valid until they expire. */
const REQUIRED_CLAIMS = ['sub', 'username', 'jti', 'sid', 'iat', 'exp', 'iss', 'aud'];

/**
 * Verifies access tokens with fast-jwt: one verifier per key, built once (no key parsing or
 * allocation per request), pinned to that key's own algorithm, issuer and audience. The token's
 * `kid` picks the key; its `alg` is only accepted when it is that key's algorithm.
 *
 * Clients send the same token with every request, so verified tokens are remembered, keyed by the
 * exact token text (a Map lookup: no hashing, no collisions) until their `exp`. Revocation is
 * checked by the caller on every request, cached or not.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly verifiers = new Map<string, Verify>();
  private readonly verified = new Map<string, AccessTokenClaims>();

  constructor(
    private readonly keys: SigningKeys,
    private readonly config: AppConfig,
  ) {}

  /**
   * The token's claims, or a 401 problem: Token expired, or Invalid token for anything else.
   * Synchronous for a token seen before (the hot path); a promise otherwise.
   */
  verify(token: string): AccessTokenClaims | Promise<AccessTokenClaims> {
    const known = this.verified.get(token);
    if (known) {
      if (known.exp * 1000 > Date.now()) return known;
      this.verified.delete(token);
      throw tokenExpired();
    }
    return this.verifyAfresh(token).then((claims) => {
      // Oldest first out: a Map iterates in insertion order.
      if (this.verified.size >= CACHE_SIZE) {
        this.verified.delete(this.verified.keys().next().value!);
      }
      this.verified.set(token, claims);
      return claims;
    });
  }

  private async verifyAfresh(token: string): Promise<AccessTokenClaims> {
    const header = decodeHeader(token);
    if (!header) throw invalidToken();
    const key = this.keys.find(header.kid) ?? (await this.keys.findOrReload(header.kid));
    if (!key || key.alg !== header.alg) throw invalidToken();
    let claims: unknown;
    try {
      claims = this.verifierFor(key)(token);
    } catch (error) {
      if (error instanceof TokenError && error.code === TokenError.codes.expired) {
        throw tokenExpired();
      }
      throw invalidToken();
    }
    if (!hasOurClaims(claims)) throw invalidToken();
    return claims;
  }

  private verifierFor(key: SigningKey): Verify {
    let verify = this.verifiers.get(key.kid);
    if (!verify) {
      verify = createVerifier({
        // fast-jwt takes raw material and makes its KeyObject once, here.
        key:
          key.alg === 'HS256'
            ? key.verifyWith.export()
            : key.verifyWith.export({ type: 'spki', format: 'pem' }),
        algorithms: [key.alg],
        allowedIss: this.config.jwt.issuer,
        allowedAud: this.config.jwt.audience,
        requiredClaims: REQUIRED_CLAIMS,
        clockTolerance: 0,
      });
      this.verifiers.set(key.kid, verify);
    }
    return verify;
  }
}

function decodeHeader(token: string): { kid: string; alg: string } | undefined {
  const end = token.indexOf('.');
  if (end <= 0) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, end), 'base64url').toString('utf8')) as {
      kid?: unknown;
      alg?: unknown;
    };
    return typeof header.kid === 'string' && typeof header.alg === 'string'
      ? { kid: header.kid, alg: header.alg }
      : undefined;
  } catch {
    return undefined;
  }
}

function hasOurClaims(claims: unknown): claims is AccessTokenClaims {
  if (typeof claims !== 'object' || claims === null) return false;
  const { sub, username, jti, sid, exp, roles } = claims as Record<string, unknown>;
  return (
    typeof sub === 'string' &&
    typeof username === 'string' &&
    typeof jti === 'string' &&
    typeof sid === 'string' &&
    typeof exp === 'number' &&
    (roles === undefined ||
      (Array.isArray(roles) && roles.every((role) => typeof role === 'string')))
  );
}
