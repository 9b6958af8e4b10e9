import { createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { hashOpaqueToken } from '../common/security/opaque-token.js';

/**
 * A refresh token, base64url of 69 bytes (92 characters):
 *
 *   version (1) | session id (16, the UUID's bytes) | generation (4, uint32 BE) | secret (32) | tag (16)
 *
 * The session id lets the server read the session by its primary key; the generation says which
 * rotation of the session the token is. A session's first secret is random (256 bits); each
 * successor's is an HMAC of its parent's under REFRESH_TOKEN_SECRET, so an instance shown a recent
 * ancestor can recompute the current token with nothing but its hash stored. The tag (a truncated
 * HMAC over the rest) tells an authentic old token — reuse, which ends the session — from a forged
 * one, which is merely invalid, without keeping any history of spent tokens.
 */
const VERSION = 1;
const SID_BYTES = 16;
const GENERATION_BYTES = 4;
const SECRET_BYTES = 32;
const TAG_BYTES = 16;
const SIGNED_BYTES = 1 + SID_BYTES + GENERATION_BYTES + SECRET_BYTES;
const TOKEN_BYTES = SIGNED_BYTES + TAG_BYTES;
/** 69 bytes are 92 base64url characters exactly: no padding, so one canonical spelling. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{92}$/;
/** What tokens issued before migration 0010 look like: 256 random or derived bits, base64url. */
const LEGACY_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Generations fit a PostgreSQL `integer`; a session would need decades of rotations to get there. */
export const MAX_GENERATION = 2 ** 31 - 1;

// Domain separation: one key, three uses that can never produce each other's inputs.
const SECRET_DOMAIN = Buffer.from('nest-jwt-auth/refresh-token/secret/v1\0');
const TAG_DOMAIN = Buffer.from('nest-jwt-auth/refresh-token/tag/v1\0');
const LEGACY_DOMAIN = Buffer.from('nest-jwt-auth/refresh-token/legacy/v1\0');

export interface RefreshToken {
  /** The token as the client holds it. */
  readonly token: string;
  readonly sessionId: string;
  readonly generation: number;
  readonly secret: Buffer;
}

export interface PresentedRefreshToken extends RefreshToken {
  /**
   * The tag is ours: the token was issued by this service (under the current key). A token whose
   * hash is the session's current one is accepted without it, so a lost key only loses the
   * recognition of old tokens, not the sessions.
   */
  readonly authentic: boolean;
}

/** A session's first refresh token: generation 0, a random secret. */
export function firstRefreshToken(key: KeyObject, sessionId: string): RefreshToken {
  return encode(key, sessionId, 0, randomBytes(SECRET_BYTES));
}

/** The token that succeeds `parent` at rotation: the next generation, its secret derived. */
export function nextRefreshToken(key: KeyObject, parent: RefreshToken): RefreshToken {
  const generation = parent.generation + 1;
  const secret = createHmac('sha256', key)
    .update(SECRET_DOMAIN)
    .update(uuidBytes(parent.sessionId))
    .update(generationBytes(generation))
    .update(parent.secret)
    .digest();
  return encode(key, parent.sessionId, generation, secret);
}

/**
 * The generation-0 token a pre-0010 token of `sessionId` stands for: its secret derived from the
 * old token, so every instance (and every concurrent retry) computes the same one.
 */
export function adoptLegacyRefreshToken(
  key: KeyObject,
  sessionId: string,
  legacyToken: string,
): RefreshToken {
  const secret = createHmac('sha256', key).update(LEGACY_DOMAIN).update(legacyToken).digest();
  return encode(key, sessionId, 0, secret);
}

/** Reads a token of the current format; undefined for any other string (never throws). */
export function parseRefreshToken(
  key: KeyObject,
  token: string,
): PresentedRefreshToken | undefined {
  if (!TOKEN_SHAPE.test(token)) return undefined;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes.length !== TOKEN_BYTES || bytes[0] !== VERSION) return undefined;
  const generation = bytes.readUInt32BE(1 + SID_BYTES);
  if (generation > MAX_GENERATION) return undefined;
  let authentic: boolean | undefined;
  return {
    token,
    sessionId: uuidString(bytes.subarray(1, 1 + SID_BYTES)),
    generation,
    secret: Buffer.from(bytes.subarray(1 + SID_BYTES + GENERATION_BYTES, SIGNED_BYTES)),
    // Checked when asked: a session's current token is known by its hash, and that is every
    // refresh but a reuse.
    get authentic() {
      authentic ??= timingSafeEqual(
        tag(key, bytes.subarray(0, SIGNED_BYTES)),
        bytes.subarray(SIGNED_BYTES),
      );
      return authentic;
    },
  };
}

/** A token issued before migration 0010, only ever looked up by its hash. */
export function isLegacyRefreshToken(token: string): boolean {
  return LEGACY_SHAPE.test(token);
}

/**
 * Only this hash is stored. A fast hash is enough: the token has 256 bits of entropy, so there is
 * nothing to brute-force, and a database leak reveals no usable token.
 */
export function hashRefreshToken(token: string): string {
  return hashOpaqueToken(token);
}

function encode(
  key: KeyObject,
  sessionId: string,
  generation: number,
  secret: Buffer,
): RefreshToken {
  const signed = Buffer.concat([
    Buffer.of(VERSION),
    uuidBytes(sessionId),
    generationBytes(generation),
    secret,
  ]);
  const token = Buffer.concat([signed, tag(key, signed)]).toString('base64url');
  return { token, sessionId, generation, secret };
}

function tag(key: KeyObject, signed: Buffer): Buffer {
  return createHmac('sha256', key)
    .update(TAG_DOMAIN)
    .update(signed)
    .digest()
    .subarray(0, TAG_BYTES);
}

function generationBytes(generation: number): Buffer {
  const bytes = Buffer.alloc(GENERATION_BYTES);
  bytes.writeUInt32BE(generation);
  return bytes;
}

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replaceAll('-', '');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error('A session id is a lower-case UUID');
  return Buffer.from(hex, 'hex');
}

function uuidString(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
