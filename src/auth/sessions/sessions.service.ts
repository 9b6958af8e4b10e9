import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ServerSecrets } from '../../secrets/server-secrets.js';
import {
  deriveRefreshToken,
  generateRefreshToken,
  hashRefreshToken,
} from '../tokens/refresh-token.js';
import { RevocationList } from './revocation-list.js';
import { isLive, type RefreshTokenRecord, type Session } from './session.js';
import type { ClientInfo } from '../../common/decorators/client-info.decorator.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * The most rotations of one session a spent token may be behind and still be answered within
 * REFRESH_REUSE_INTERVAL (at most 5 minutes): far beyond what any client does, and a bound on the
 * work a replayed token can cause.
 */
const MAX_TOLERATED_GENERATIONS = 64;

export type RefreshOutcome =
  | {
      readonly kind: 'rotated';
      readonly session: Session;
      readonly refreshToken: string;
      /** When `refreshToken` expires (the refresh token cookie's Max-Age). */
      readonly refreshTokenExpiresAt: Date;
      /**
       * The token presented was already spent, within REFRESH_REUSE_INTERVAL: `refreshToken` is
       * the session's current token, answered again; nothing was rotated.
       */
      readonly reuseTolerated: boolean;
    }
  /** Unknown, expired or revoked token, or a session that has ended. */
  | { readonly kind: 'invalid' }
  /** A spent token came back: the whole family has been revoked (RFC 9700 §4.14). */
  | { readonly kind: 'reused'; readonly session: Session };

/** Sessions (refresh-token families): start, rotate, end; and the revocation of their tokens. */
@Injectable()
export class SessionsService {
  constructor(
    private readonly sessions: SessionsRepository,
    private readonly revocations: RevocationList,
    private readonly config: AppConfig,
    private readonly secrets: ServerSecrets,
  ) {}

  async start(
    userId: string,
    client: ClientInfo,
    amr?: readonly string[],
  ): Promise<{ session: Session; refreshToken: string }> {
    const now = new Date();
    const refreshToken = generateRefreshToken();
    const session = await this.sessions.create(
      userId,
      client,
      { tokenHash: hashRefreshToken(refreshToken), expiresAt: this.refreshExpiry(now) },
      now,
      amr,
    );
    return { session, refreshToken };
  }

  /**
   * Exchanges a refresh token for its successor. A spent one presented again within
   * REFRESH_REUSE_INTERVAL of its rotation (concurrent tabs, a retry after a lost answer) gets the
   * session's current token again; later, or for an ended session, it revokes its whole family.
   */
  async rotate(refreshToken: string, client: ClientInfo): Promise<RefreshOutcome> {
    const now = new Date();
    const tokenHash = hashRefreshToken(refreshToken);
    let found = await this.sessions.findByTokenHash(tokenHash);
    if (!found) return { kind: 'invalid' };
    if (!found.token.usedAt) {
      const { token, session } = found;
      if (!isLive(session, now) || token.expiresAt <= now) return { kind: 'invalid' };
      const successor = deriveRefreshToken(this.secrets.refreshToken, refreshToken);
      const expiresAt = this.refreshExpiry(now);
      const outcome = await this.sessions.rotate(
        token.id,
        { tokenHash: hashRefreshToken(successor), expiresAt },
        client,
        now,
      );
      if (outcome === 'rotated') {
        return {
          kind: 'rotated',
          session,
          refreshToken: successor,
          refreshTokenExpiresAt: expiresAt,
          reuseTolerated: false,
        };
      }
      // A concurrent call spent it first; its spend and the successor are committed together, so
      // reading again shows both.
      found = await this.sessions.findByTokenHash(tokenHash);
      if (!found) return { kind: 'invalid' };
    }
    return this.spent(refreshToken, found.token, found.session, now);
  }

  /** A spent token came back: answered within the reuse interval, theft after it. */
  private async spent(
    refreshToken: string,
    token: RefreshTokenRecord,
    session: Session,
    now: Date,
  ): Promise<RefreshOutcome> {
    const tolerated =
      this.withinReuseInterval(token, now) && isLive(session, now)
        ? await this.currentTokenFrom(refreshToken, session.id, now)
        : undefined;
    if (tolerated === undefined) return this.reused(session, now);
    return {
      kind: 'rotated',
      session,
      refreshToken: tolerated.token,
      refreshTokenExpiresAt: tolerated.expiresAt,
      reuseTolerated: true,
    };
  }

  private withinReuseInterval(token: RefreshTokenRecord, now: Date): boolean {
    const intervalMs = this.config.jwt.refreshReuseIntervalSeconds * 1000;
    // 0 turns the window off: even a reuse in the same millisecond as the rotation is theft.
    if (intervalMs === 0 || token.usedAt === null) return false;
    return now.getTime() - token.usedAt.getTime() <= intervalMs;
  }

  /**
   * The session's current (unspent) token, recomputed by deriving forward from `ancestor` until
   * its hash matches; undefined when it is not a recent descendant (or has expired).
   */
  private async currentTokenFrom(
    ancestor: string,
    sessionId: string,
    now: Date,
  ): Promise<{ token: string; expiresAt: Date } | undefined> {
    const current = await this.sessions.currentToken(sessionId);
    if (!current || current.expiresAt <= now) return undefined;
    let candidate = ancestor;
    for (let generation = 0; generation < MAX_TOLERATED_GENERATIONS; generation++) {
      candidate = deriveRefreshToken(this.secrets.refreshToken, candidate);
      if (hashRefreshToken(candidate) === current.tokenHash) {
        return { token: candidate, expiresAt: current.expiresAt };
      }
    }
    return undefined;
  }

  /** A refresh token's record and session, if the token is known (spent or not). */
  findToken(
    refreshToken: string,
  ): Promise<{ token: RefreshTokenRecord; session: Session } | undefined> {
    return this.sessions.findByTokenHash(hashRefreshToken(refreshToken));
  }

  /** The session a refresh token belongs to, if the token is known (spent or not). */
  async sessionOf(refreshToken: string): Promise<Session | undefined> {
    return (await this.sessions.findByTokenHash(hashRefreshToken(refreshToken)))?.session;
  }

  findById(id: string): Promise<Session | undefined> {
    return this.sessions.findById(id);
  }

  listLive(userId: string): Promise<Session[]> {
    return this.sessions.listLive(userId, new Date());
  }

  /** Ends sessions: their refresh tokens die and their access tokens are refused at once. */
  async end(sessionIds: readonly string[]): Promise<string[]> {
    const now = new Date();
    const revoked = await this.sessions.revoke(sessionIds, now);
    this.revocations.revoke(sessionIds, now.getTime());
    return revoked;
  }

  /** Ends every session of the user, or every one but `keepSessionId`. */
  async endAllOf(userId: string, keepSessionId?: string): Promise<string[]> {
    const now = new Date();
    const revoked = await this.sessions.revokeAllOfUser(userId, now, keepSessionId);
    this.revocations.revoke(revoked, now.getTime());
    return revoked;
  }

  private async reused(session: Session, now: Date): Promise<RefreshOutcome> {
    await this.sessions.revoke([session.id], now);
    this.revocations.revoke([session.id], now.getTime());
    return { kind: 'reused', session };
  }

  private refreshExpiry(now: Date): Date {
    return new Date(now.getTime() + this.config.jwt.refreshTokenTtlSeconds * 1000);
  }
}
