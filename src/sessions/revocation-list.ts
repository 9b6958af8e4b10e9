import { Injectable, Logger, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';
import { PeriodicJob } from '../lifecycle/periodic-job.js';
import { RedisConnection } from '../redis/redis.connection.js';
import { SessionsRepository, type RevocationCursor } from './sessions.repository.js';

/** How often each instance picks up the revocations other instances wrote to the database. */
export const REVOCATION_SYNC_INTERVAL_MS = 500;

const CHANNEL = 'revocations';

/**
 * The sessions whose access tokens must be refused before they expire, held in memory so the
 * per-request check is a Map lookup (no database query on the hot path). Entries live as long as
 * an access token can (ACCESS_TOKEN_TTL) and are loaded from the store at start. Other instances'
 * revocations arrive two ways: at once over Redis pub/sub when REDIS_URL is set, and — the source
 * of truth, which also covers a Redis outage — by re-reading the shared SQL store every 500 ms.
 * Either way every instance refuses a logged-out token within a second.
 */
@Injectable()
export class RevocationList implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RevocationList.name);
  /** session id → epoch ms after which no access token of that session can still be valid. */
  private readonly revoked = new Map<string, number>();
  /**
   * Where the last read of the store stopped, in the order the database commits revocations (see
   * commit-order.ts): not a time, so neither a writer's clock nor a late commit can hide one.
   */
  private cursor: RevocationCursor | null = null;
  /**
   * One sync at a time: while the database is slow or away, a tick that started a new read every
   * 500 ms would pile them up until they held every pooled connection and starved the requests.
   * Keeps serving with what it has when a read fails, and says so once, not every half second.
   */
  private readonly poll = new PeriodicJob({
    name: 'Revocation sync',
    everyMs: REVOCATION_SYNC_INTERVAL_MS,
    logger: this.logger,
    logFirstFailureOnly: true,
    pass: () => this.sync(),
  });

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly config: AppConfig,
    @Optional() private readonly shared?: Database,
    @Optional() private readonly redis?: RedisConnection,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.redis
      ?.subscribe(CHANNEL, (message) => this.received(message))
      .catch(() => undefined);
    await this.poll.run();
    if (this.shared) this.poll.start({ now: false });
  }

  onApplicationShutdown(): Promise<void> {
    return this.poll.stop();
  }

  isRevoked(sessionId: string): boolean {
    const until = this.revoked.get(sessionId);
    return until !== undefined && until > Date.now();
  }

  /**
   * Refuses the sessions' access tokens from now on: here at once, on the other instances through
   * Redis (best effort: the store, already written by the caller, is the guarantee).
   */
  revoke(sessionIds: readonly string[], revokedAt = Date.now()): void {
    if (sessionIds.length === 0) return;
    this.add(sessionIds, revokedAt);
    this.redis
      ?.publish(CHANNEL, JSON.stringify({ ids: sessionIds, at: revokedAt }))
      .catch(() => undefined);
  }

  private add(sessionIds: readonly string[], revokedAt: number): void {
    // From when we learn of it at the latest: a writer whose clock is behind stamps a time before
    // the session's last access token was issued.
    const until = Math.max(revokedAt, Date.now()) + this.ttlMs();
    for (const id of sessionIds) this.revoked.set(id, until);
  }

  private received(message: string): void {
    try {
      const { ids, at } = JSON.parse(message) as { ids: unknown; at: unknown };
      if (!Array.isArray(ids) || typeof at !== 'number') return;
      this.add(
        ids.filter((id): id is string => typeof id === 'string'),
        at,
      );
    } catch {
      // Not ours, or garbled: the database sync still delivers the revocation.
    }
  }

  /** The first read takes what was revoked within ACCESS_TOKEN_TTL; later ones, what came since. */
  private async sync(): Promise<void> {
    const startedAt = Date.now();
    const read = await this.sessions.revocationsAfter(
      this.cursor,
      new Date(startedAt - this.ttlMs()),
    );
    for (const { id, revokedAt } of read.revoked) this.add([id], revokedAt.getTime());
    this.cursor = read.cursor;
    this.prune(startedAt);
  }

  private prune(now: number): void {
    for (const [id, until] of this.revoked) if (until <= now) this.revoked.delete(id);
  }

  private ttlMs(): number {
    return this.config.jwt.accessTokenTtlSeconds * 1000;
  }
}
