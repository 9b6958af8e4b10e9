import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import type { User } from '../users/user.js';
/**
 * A login and the chain of refresh tokens rotated from it (a token "family", RFC 9700 §4.14): one
 * row however often it rotates, holding only its current token's hash.
 */
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
  /**
   * When the interactive sign-in happened (the tokens' `auth_time`): never moved by a refresh.
   * Null for sessions started before it was stored.
   */
  readonly authTime: Date | null;
  /** The identity provider signed in through (the tokens' `idp`); null for a password login. */
  readonly idp: string | null;
  /** The rotation its current refresh token comes from: 0 for the login's, then 1, 2, … */
  readonly generation: number;
  /**
   * SHA-256 of its current refresh token (the token is never stored). Null for a session started
   * before migration 0010 whose current token is still a legacy one, in `refresh_tokens`.
   */
  readonly tokenHash: string | null;
  /**
   * Spent generations from `generation` on, spent no earlier than `startedAt`: those a retry may
   * present within REFRESH_REUSE_INTERVAL (see SessionsService). Null until the first rotation.
   */
  readonly reuseWindow: ReuseWindow | null;
}

export interface ReuseWindow {
  readonly generation: number;
  readonly startedAt: Date;
}

/** How a session's sign-in was made, besides its `amr`: when, and through which provider. */
export interface SignInOrigin {
  /** Default: when the session starts. */
  readonly authTime?: Date;
  readonly idp?: string | null;
}

/** A session started by a password alone. */
export const PASSWORD_ONLY: readonly string[] = ['pwd'];

/** A session's first refresh token, as the store keeps it. */
export interface FirstRefreshToken {
  /** The session's id: chosen before the session is stored, because the token carries it. */
  readonly sessionId: string;
  /** SHA-256 of the token. */
  readonly tokenHash: string;
  readonly expiresAt: Date;
}

/**
 * The account a session belongs to, as the rotation's own statement read it: what an access token
 * carries, and whether the account may still refresh. Null when the account is gone.
 */
export type SessionHolder = Pick<
  User,
  'id' | 'username' | 'emailVerifiedAt' | 'disabledAt' | 'roles'
> | null;

/** A session as a rotation left it, and its holder read in the same statement. */
export interface RotatedSession {
  readonly session: Session;
  /** Absent only from a memory store given no users: the caller reads the holder then. */
  readonly holder?: SessionHolder;
}

/** A pre-0010 refresh token found by its hash, with its session. */
export interface LegacyRefreshToken {
  readonly session: Session;
  readonly expiresAt: Date;
  /** Spent before the upgrade: presenting it again is reuse, as it was then. */
  readonly usedAt: Date | null;
}

export function isLive(session: Session, now: Date): boolean {
  return session.revokedAt === null && session.expiresAt > now;
}

/** A session as it starts: used once, now, by this client; live until its first token expires. */
export function newSession(
  userId: string,
  client: ClientInfo,
  first: FirstRefreshToken,
  now: Date,
  amr: readonly string[] = PASSWORD_ONLY,
  origin: SignInOrigin = {},
): Session {
  return {
    id: first.sessionId,
    userId,
    createdAt: now,
    lastUsedAt: now,
    expiresAt: first.expiresAt,
    userAgent: client.userAgent,
    ip: client.ip,
    revokedAt: null,
    amr,
    authTime: origin.authTime ?? now,
    idp: origin.idp ?? null,
    generation: 0,
    tokenHash: first.tokenHash,
    reuseWindow: null,
  };
}
