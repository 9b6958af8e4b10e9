import { Injectable } from '@nestjs/common';
import {
  isLive,
  newSession,
  type FirstRefreshToken,
  type LegacyRefreshToken,
  type RotatedSession,
  type Session,
  type SignInOrigin,
} from '../session.js';
import type { User } from '../../users/user.js';
import type { ClientInfo } from '../../common/decorators/client-info.decorator.js';
import {
  SessionsRepository,
  type CurrentRefreshToken,
  type RevocationCursor,
  type RevocationsRead,
} from '../sessions.repository.js';

@Injectable()
export class InMemorySessionsRepository extends SessionsRepository {
  private readonly sessions = new Map<string, Session>();
  /** Session id → its place in the order revocations were written (the cursor's unit). */
  private readonly revocationOrder = new Map<string, number>();
  private lastRevocation = 0;

  /**
   * `users`: where a rotation reads the session's holder, as the SQL stores do in the same
   * statement. Without it (unit tests of other parts) a rotation leaves the holder to the caller.
   */
  constructor(private readonly users?: { findById(id: string): Promise<User | undefined> }) {
    super();
  }

  create(
    userId: string,
    client: ClientInfo,
    first: FirstRefreshToken,
    now: Date,
    amr?: readonly string[],
    origin?: SignInOrigin,
  ): Promise<Session> {
    const session = newSession(userId, client, first, now, amr, origin);
    this.sessions.set(session.id, session);
    return Promise.resolve(session);
  }

  findById(id: string): Promise<Session | undefined> {
    return Promise.resolve(this.sessions.get(id));
  }

  async rotate(
    sessionId: string,
    spent: CurrentRefreshToken,
    successor: { readonly tokenHash: string; readonly expiresAt: Date },
    reuseCutoff: Date,
    client: ClientInfo,
    now: Date,
  ): Promise<RotatedSession | undefined> {
    const session = this.sessions.get(sessionId);
    // Synchronous check-and-set: two concurrent rotations cannot both see the token current.
    if (
      !session ||
      session.revokedAt !== null ||
      session.expiresAt <= now ||
      session.generation !== spent.generation ||
      session.tokenHash !== spent.tokenHash
    ) {
      return undefined;
    }
    const window = session.reuseWindow;
    const reuseWindow =
      window && window.startedAt >= reuseCutoff
        ? window
        : session.generation > 0 && session.lastUsedAt >= reuseCutoff
          ? { generation: session.generation - 1, startedAt: session.lastUsedAt }
          : { generation: session.generation, startedAt: now };
    const rotated: Session = {
      ...session,
      generation: spent.generation + 1,
      tokenHash: successor.tokenHash,
      reuseWindow,
      lastUsedAt: now,
      expiresAt: successor.expiresAt,
      ip: client.ip,
      userAgent: client.userAgent,
    };
    this.sessions.set(sessionId, rotated);
    if (!this.users) return { session: rotated };
    return { session: rotated, holder: (await this.users.findById(session.userId)) ?? null };
  }

  /** Nothing outlives a restart here: no token can be older than this store. */
  findLegacyToken(): Promise<LegacyRefreshToken | undefined> {
    return Promise.resolve(undefined);
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
      this.revocationOrder.set(id, ++this.lastRevocation);
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

  revocationsAfter(cursor: RevocationCursor | null, since: Date): Promise<RevocationsRead> {
    const after = cursor === null ? undefined : Number(cursor);
    const revoked = [...this.sessions.values()]
      .filter(
        (s): s is Session & { revokedAt: Date } =>
          s.revokedAt !== null &&
          (after === undefined
            ? s.revokedAt >= since
            : (this.revocationOrder.get(s.id) ?? 0) > after),
      )
      .map((s) => ({ id: s.id, revokedAt: s.revokedAt }));
    return Promise.resolve({ revoked, cursor: String(this.lastRevocation) });
  }

  /** Sessions only: a deleted account's sessions stay here (revoked) until they are purged. */
  deleteEndedBefore(cutoff: Date): Promise<number> {
    let deleted = 0;
    for (const [id, session] of this.sessions) {
      if (
        (session.revokedAt !== null && session.revokedAt < cutoff) ||
        session.expiresAt < cutoff
      ) {
        this.sessions.delete(id);
        this.revocationOrder.delete(id);
        deleted++;
      }
    }
    return Promise.resolve(deleted);
  }
}
