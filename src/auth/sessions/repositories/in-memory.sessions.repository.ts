import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import {
  isLive,
  newSession,
  type NewRefreshToken,
  type RefreshTokenRecord,
  type Session,
} from '../session.js';
import type { ClientInfo } from '../../../common/decorators/client-info.decorator.js';
import { SessionsRepository, type RotationOutcome } from '../sessions.repository.js';

@Injectable()
export class InMemorySessionsRepository extends SessionsRepository {
  private readonly sessions = new Map<string, Session>();
  private readonly tokens = new Map<string, RefreshTokenRecord>();
  private readonly tokenIdByHash = new Map<string, string>();
  /** session id → its newest token's id: every token added is the session's current one. */
  private readonly currentTokenId = new Map<string, string>();

  create(
    userId: string,
    client: ClientInfo,
    first: NewRefreshToken,
    now: Date,
    amr?: readonly string[],
  ): Promise<Session> {
    const session = newSession(userId, client, first.expiresAt, now, amr);
    this.sessions.set(session.id, session);
    this.addToken(session.id, first);
    return Promise.resolve(session);
  }

  findById(id: string): Promise<Session | undefined> {
    return Promise.resolve(this.sessions.get(id));
  }

  findByTokenHash(tokenHash: string) {
    const token = this.tokens.get(this.tokenIdByHash.get(tokenHash) ?? '');
    const session = token && this.sessions.get(token.sessionId);
    return Promise.resolve(token && session ? { token, session } : undefined);
  }

  rotate(
    tokenId: string,
    successor: NewRefreshToken,
    client: ClientInfo,
    now: Date,
  ): Promise<RotationOutcome> {
    const token = this.tokens.get(tokenId);
    const session = token && this.sessions.get(token.sessionId);
    // Synchronous check-and-set: two concurrent rotations cannot both see the token unspent.
    if (!token || !session || token.usedAt) return Promise.resolve('reused');
    this.tokens.set(tokenId, { ...token, usedAt: now });
    this.addToken(session.id, successor);
    this.sessions.set(session.id, {
      ...session,
      lastUsedAt: now,
      expiresAt: successor.expiresAt,
      ip: client.ip,
      userAgent: client.userAgent,
    });
    return Promise.resolve('rotated');
  }

  currentToken(sessionId: string): Promise<RefreshTokenRecord | undefined> {
    const token = this.tokens.get(this.currentTokenId.get(sessionId) ?? '');
    return Promise.resolve(token?.usedAt === null ? token : undefined);
  }

  listLive(userId: string, now: Date): Promise<Session[]> {
    const live = [...this.sessions.values()]
      .filter((session) => session.userId === userId && isLive(session, now))
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    return Promise.resolve(live);
  }

  revoke(ids: readonly string[], now: Date): Promise<string[]> {
    const revoked: string[] = [];
    for (const id of ids) {
      const session = this.sessions.get(id);
      if (!session || session.revokedAt) continue;
      this.sessions.set(id, { ...session, revokedAt: now });
      revoked.push(id);
    }
    return Promise.resolve(revoked);
  }

  revokeAllOfUser(userId: string, now: Date, exceptId?: string): Promise<string[]> {
    const ids = [...this.sessions.values()]
      .filter((s) => s.userId === userId && s.id !== exceptId)
      .map((s) => s.id);
    return this.revoke(ids, now);
  }

  revokedSince(since: Date): Promise<{ id: string; revokedAt: Date }[]> {
    const revoked = [...this.sessions.values()]
      .filter(
        (s): s is Session & { revokedAt: Date } => s.revokedAt !== null && s.revokedAt >= since,
      )
      .map((s) => ({ id: s.id, revokedAt: s.revokedAt }));
    return Promise.resolve(revoked);
  }

  private addToken(sessionId: string, token: NewRefreshToken): void {
    const record: RefreshTokenRecord = { id: randomUUID(), sessionId, usedAt: null, ...token };
    this.tokens.set(record.id, record);
    this.tokenIdByHash.set(record.tokenHash, record.id);
    this.currentTokenId.set(sessionId, record.id);
  }
}
