import { randomUUID } from 'node:crypto';
import type { ClientInfo } from '../../common/decorators/client-info.decorator.js';
/** A login and the chain of refresh tokens rotated from it (a token "family", RFC 9700 §4.14). */
export interface Session {
  readonly id: string;
  readonly userId: string;
  readonly createdAt: Date;
  readonly lastUsedAt: Date;
  /** When its newest refresh token expires. */
  readonly expiresAt: Date;
  readonly userAgent: string | null;
  readonly ip: string | null;
  readonly revokedAt: Date | null;
  /** How the login proved who it was (RFC 8176): `pwd`, plus `otp` or `mfa` after a second factor. */
  readonly amr: readonly string[];
}

/** A session started by a password alone. */
export const PASSWORD_ONLY: readonly string[] = ['pwd'];

export interface RefreshTokenRecord {
  readonly id: string;
  readonly sessionId: string;
  /** SHA-256 of the token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly expiresAt: Date;
  /** Set once the token has been exchanged: presenting it again is reuse. */
  readonly usedAt: Date | null;
}

export interface NewRefreshToken {
  readonly tokenHash: string;
  readonly expiresAt: Date;
}

export function isLive(session: Session, now: Date): boolean {
  return session.revokedAt === null && session.expiresAt > now;
}

/** A session as it starts: used once, now, by this client; live until its first token expires. */
export function newSession(
  userId: string,
  client: ClientInfo,
  expiresAt: Date,
  now: Date,
  amr: readonly string[] = PASSWORD_ONLY,
): Session {
  return {
    id: randomUUID(),
    userId,
    createdAt: now,
    lastUsedAt: now,
    expiresAt,
    userAgent: client.userAgent,
    ip: client.ip,
    revokedAt: null,
    amr,
  };
}
