import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { generateRefreshToken, hashRefreshToken } from '../tokens/refresh-token.js';
import { RevocationList } from './revocation-list.js';
import { isLive, type RefreshTokenRecord, type Session } from './session.js';
import type { ClientInfo } from '../../common/decorators/client-info.decorator.js';
import { SessionsRepository } from './sessions.repository.js';

export type RefreshOutcome =
  | { readonly kind: 'rotated'; readonly session: Session; readonly refreshToken: string }
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

  /** Exchanges a refresh token for its successor; a spent one revokes its whole family. */
  async rotate(refreshToken: string, client: ClientInfo): Promise<RefreshOutcome> {
    const now = new Date();
    const found = await this.sessions.findByTokenHash(hashRefreshToken(refreshToken));
    if (!found) return { kind: 'invalid' };
    const { token, session } = found;
    if (token.usedAt) return this.reused(session, now);
    if (!isLive(session, now) || token.expiresAt <= now) return { kind: 'invalid' };

    const successor = generateRefreshToken();
    const outcome = await this.sessions.rotate(
      token.id,
      { tokenHash: hashRefreshToken(successor), expiresAt: this.refreshExpiry(now) },
      client,
      now,
    );
    if (outcome === 'reused') return this.reused(session, now);
    return { kind: 'rotated', session, refreshToken: successor };
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
