import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ServerSecrets } from '../secrets/server-secrets.js';
import {
  adoptLegacyRefreshToken,
  firstRefreshToken,
  hashRefreshToken,
  isLegacyRefreshToken,
  MAX_GENERATION,
  nextRefreshToken,
  parseRefreshToken,
  type PresentedRefreshToken,
  type RefreshToken,
} from './refresh-token.js';
import { RevocationList } from './revocation-list.js';
import { isLive, type Session, type SessionHolder, type SignInOrigin } from './session.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * The most rotations of one session a spent token may be behind and still be answered within
 * REFRESH_REUSE_INTERVAL (at most 5 minutes): far beyond what any client does, and a bound on the
 * work a replayed token can cause.
 */
const MAX_TOLERATED_GENERATIONS = 64;

const INVALID = { kind: 'invalid' } as const;
/** Later than any timestamp stored: with REFRESH_REUSE_INTERVAL=0 no spend is within it. */
const NEVER = new Date('9999-12-31T23:59:59.999Z');

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
      /** The account, when the rotation read it (not for a tolerated reuse): null if gone. */
      readonly holder?: SessionHolder;
    }
  /** Unknown, expired or revoked token, or a session that has ended. */
  | { readonly kind: 'invalid' }
  /** A spent token came back: the whole family has been revoked (RFC 9700 §4.14). */
  | { readonly kind: 'reused'; readonly session: Session };

/** What a refresh token presented to /revoke or /introspect is. */
export interface FoundRefreshToken {
  readonly session: Session;
  /** The session's current token (not yet rotated); the session may still have ended. */
  readonly current: boolean;
}

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
    origin?: SignInOrigin,
  ): Promise<{ session: Session; refreshToken: string }> {
    const now = new Date();
    const first = firstRefreshToken(this.secrets.refreshToken, randomUUID());
    const session = await this.sessions.create(
      userId,
      client,
      {
        sessionId: first.sessionId,
        tokenHash: hashRefreshToken(first.token),
        expiresAt: this.refreshExpiry(now),
      },
      now,
      amr,
      origin,
    );
    return { session, refreshToken: first.token };
  }

  /**
   * Exchanges a refresh token for its successor. A spent one presented again within
   * REFRESH_REUSE_INTERVAL of its rotation (concurrent tabs, a retry after a lost answer) gets the
   * session's current token again; later, or for an ended session, it revokes its whole family.
   */
  async rotate(refreshToken: string, client: ClientInfo): Promise<RefreshOutcome> {
    const now = new Date();
    const presented = parseRefreshToken(this.secrets.refreshToken, refreshToken);
    if (!presented) return this.rotateLegacy(refreshToken, client, now);
    const presentedHash = hashRefreshToken(refreshToken);
    // Nearly every refresh presents the session's current token: one statement rotates it. Any
    // other case (spent, forged, ended, a race lost) reads the row and is sorted out below.
    if (presented.generation < MAX_GENERATION) {
      const rotated = await this.rotateCurrent(presented, presentedHash, client, now);
      if (rotated) return rotated;
    }
    const session = await this.sessions.findById(presented.sessionId);
    if (!session) return INVALID;
    return this.exchange(session, presented, presentedHash, client, now);
  }

  /**
   * Rotates `presented` when it is its session's current token (`presentedHash` null: a legacy
   * token standing for the session's unspent pre-0010 one) and the session is live: one statement.
   */
  private async rotateCurrent(
    presented: RefreshToken,
    presentedHash: string | null,
    client: ClientInfo,
    now: Date,
  ): Promise<RefreshOutcome | undefined> {
    const successor = nextRefreshToken(this.secrets.refreshToken, presented);
    const expiresAt = this.refreshExpiry(now);
    const rotated = await this.sessions.rotate(
      presented.sessionId,
      { generation: presented.generation, tokenHash: presentedHash },
      { tokenHash: hashRefreshToken(successor.token), expiresAt },
      this.reuseCutoff(now),
      client,
      now,
    );
    return (
      rotated && {
        kind: 'rotated',
        session: rotated.session,
        holder: rotated.holder,
        refreshToken: successor.token,
        refreshTokenExpiresAt: expiresAt,
        reuseTolerated: false,
      }
    );
  }

  /**
   * The oldest spend time REFRESH_REUSE_INTERVAL still covers (see withinReuseInterval); with the
   * interval off, a time no spend can reach.
   */
  private reuseCutoff(now: Date): Date {
    const intervalMs = this.config.jwt.refreshReuseIntervalSeconds * 1000;
    return intervalMs > 0 ? new Date(now.getTime() - intervalMs) : NEVER;
  }

  /**
   * `presented` is the session's current token when its generation and hash are the row's
   * (`presentedHash` null: a legacy token standing for the session's unspent pre-0010 token).
   */
  private async exchange(
    session: Session,
    presented: PresentedRefreshToken,
    presentedHash: string | null,
    client: ClientInfo,
    now: Date,
  ): Promise<RefreshOutcome> {
    const isCurrent = (s: Session) =>
      s.generation === presented.generation && s.tokenHash === presentedHash;
    if (isCurrent(session)) {
      if (!isLive(session, now) || session.generation >= MAX_GENERATION) return INVALID;
      const rotated = await this.rotateCurrent(presented, presentedHash, client, now);
      if (rotated) return rotated;
      // A concurrent call rotated it first (or ended the session): read what it wrote.
      const after = await this.sessions.findById(session.id);
      if (!after || isCurrent(after)) return INVALID;
      session = after;
    }
    // Not current: an older generation is reuse only if the token is ours (a forged one for a
    // known session id ends nothing); a newer one, or one with another hash, was never issued.
    if (!presented.authentic || presented.generation >= session.generation) return INVALID;
    return this.spent(presented, session, now);
  }

  /**
   * A token issued before migration 0010 (found by its hash, as then). Its session's unspent one
   * rotates into the current format; a retry of it is then a spent token of generation 0.
   */
  private async rotateLegacy(
    refreshToken: string,
    client: ClientInfo,
    now: Date,
  ): Promise<RefreshOutcome> {
    if (!isLegacyRefreshToken(refreshToken)) return INVALID;
    const legacy = await this.sessions.findLegacyToken(hashRefreshToken(refreshToken));
    if (!legacy) return INVALID;
    const { session } = legacy;
    if (legacy.usedAt !== null) {
      // Spent before the upgrade. Within the interval a lost answer is likelier than theft, but
      // the old chain's current token cannot be answered any more: refuse without ending anything.
      return this.withinReuseInterval(legacy.usedAt, now) ? INVALID : this.reused(session, now);
    }
    const adopted = adoptLegacyRefreshToken(this.secrets.refreshToken, session.id, refreshToken);
    if (session.tokenHash === null && legacy.expiresAt <= now) return INVALID;
    return this.exchange(
      session,
      { ...adopted, authentic: true },
      session.tokenHash === null ? null : hashRefreshToken(adopted.token),
      client,
      now,
    );
  }

  /** A spent token of ours came back: answered within the reuse interval, theft after it. */
  private async spent(
    presented: PresentedRefreshToken,
    session: Session,
    now: Date,
  ): Promise<RefreshOutcome> {
    const current = this.currentTokenFrom(presented, session, now);
    if (current === undefined) return this.reused(session, now);
    return {
      kind: 'rotated',
      session,
      refreshToken: current,
      refreshTokenExpiresAt: session.expiresAt,
      reuseTolerated: true,
    };
  }

  /**
   * The session's current token, recomputed by deriving forward from the spent `ancestor`, when
   * the reuse window covers it: spent no earlier than the window's generation, the window opened
   * within REFRESH_REUSE_INTERVAL, at most 64 generations behind. Spend times only grow, so this
   * never answers a token spent longer ago than the interval.
   */
  private currentTokenFrom(
    ancestor: PresentedRefreshToken,
    session: Session,
    now: Date,
  ): string | undefined {
    const window = session.reuseWindow;
    const behind = session.generation - ancestor.generation;
    if (
      !window ||
      session.tokenHash === null ||
      !isLive(session, now) ||
      ancestor.generation < window.generation ||
      behind > MAX_TOLERATED_GENERATIONS ||
      !this.withinReuseInterval(window.startedAt, now)
    ) {
      return undefined;
    }
    let candidate: RefreshToken = ancestor;
    for (let step = 0; step < behind; step++) {
      candidate = nextRefreshToken(this.secrets.refreshToken, candidate);
    }
    return hashRefreshToken(candidate.token) === session.tokenHash ? candidate.token : undefined;
  }

  private withinReuseInterval(since: Date, now: Date): boolean {
    const intervalMs = this.config.jwt.refreshReuseIntervalSeconds * 1000;
    // 0 turns the window off: even a reuse in the same millisecond as the rotation is theft.
    return intervalMs > 0 && now.getTime() - since.getTime() <= intervalMs;
  }

  /**
   * The session a refresh token of ours names, spent or not, and whether it is the session's
   * current token. Undefined for a string that is not one (a forged token included).
   */
  async findToken(refreshToken: string): Promise<FoundRefreshToken | undefined> {
    const presented = parseRefreshToken(this.secrets.refreshToken, refreshToken);
    if (!presented) {
      if (!isLegacyRefreshToken(refreshToken)) return undefined;
      const legacy = await this.sessions.findLegacyToken(hashRefreshToken(refreshToken));
      if (!legacy) return undefined;
      const current =
        legacy.usedAt === null &&
        legacy.session.tokenHash === null &&
        legacy.expiresAt > new Date();
      return { session: legacy.session, current };
    }
    const session = await this.sessions.findById(presented.sessionId);
    if (!session) return undefined;
    const current =
      session.generation === presented.generation &&
      session.tokenHash === hashRefreshToken(refreshToken);
    if (!current && (!presented.authentic || presented.generation >= session.generation)) {
      return undefined;
    }
    return { session, current };
  }

  /** The session a refresh token belongs to, if the token is ours (spent or not). */
  async sessionOf(refreshToken: string): Promise<Session | undefined> {
    return (await this.findToken(refreshToken))?.session;
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

  /**
   * Ends every session of the user, or every one but `keepSessionId`: for changes that make old
   * tokens wrong (roles, turning MFA on or off). What answers a possible intruder is
   * SignOutEverywhereService (auth/).
   */
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
