import { Injectable, Optional } from '@nestjs/common';
import { sql } from 'kysely';
import { ProblemException } from '../common/problems/problem.exception.js';
import { Database } from '../database/database.js';
import { GracefulShutdown } from '../lifecycle/graceful-shutdown.js';
import { RedisConnection } from '../redis/redis.connection.js';

export type CheckState = 'ok' | 'unavailable';
export interface Readiness {
  /** `degraded`: serving, but Redis is away (limits per instance until it is back). */
  readonly status: 'ok' | 'degraded';
  readonly checks: Record<string, CheckState>;
}

const CHECK_TIMEOUT_MS = 2_000;

/**
 * Readiness: can this instance serve requests now? Each dependency answers within 2 s or counts as
 * unavailable. Without the database nothing works: 503. Without Redis the service still answers
 * correctly (rate limits per instance, revocations through the database), so it stays ready and
 * says `degraded`: failing readiness on every instance at once would turn a Redis outage into a
 * full one.
 */
@Injectable()
export class ReadinessService {
  private databaseProbe: Promise<unknown> | undefined;

  constructor(
    private readonly shutdown: GracefulShutdown,
    @Optional() private readonly db?: Database,
    @Optional() private readonly redis?: RedisConnection,
  ) {}

  async check(): Promise<Readiness> {
    if (this.shutdown.draining) {
      throw new ProblemException('notReady', 'Shutting down: send new requests elsewhere.', {
        extensions: { checks: {} },
      });
    }
    const { db, redis } = this;
    const [database, cache] = await Promise.all([
      db ? probe(() => this.pingDatabase(db)) : undefined,
      redis ? probe(() => redis.ping()) : undefined,
    ]);
    const checks: Record<string, CheckState> = {};
    if (database) checks.database = database;
    if (cache) checks.redis = cache;
    if (database === 'unavailable') {
      throw new ProblemException('notReady', 'The database is not answering.', {
        extensions: { checks },
      });
    }
    return { status: cache === 'unavailable' ? 'degraded' : 'ok', checks };
  }

  /**
   * Checks that arrive while one is still waiting share its answer. This route is public, and a
   * silent database leaves each ping holding a pooled connection long after its 2 s are up: one
   * per request would let probes alone take every connection the service has.
   */
  private pingDatabase(db: Database): Promise<unknown> {
    this.databaseProbe ??= sql`select 1`.execute(db).finally(() => {
      this.databaseProbe = undefined;
    });
    return this.databaseProbe;
  }
}

async function probe(check: () => Promise<unknown>): Promise<CheckState> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check(), timeout]);
    return 'ok';
  } catch {
    return 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}
