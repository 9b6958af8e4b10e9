import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PeriodicJob } from '../lifecycle/periodic-job.js';
import { SessionsRepository } from './sessions.repository.js';

export const SESSION_PURGE_INTERVAL_MS = 3_600_000;
/**
 * Added to ACCESS_TOKEN_TTL before an ended session may go: instances' clocks may differ a little,
 * and the revocation sync looks back 5 s past its last read.
 */
export const SESSION_PURGE_MARGIN_MS = 300_000;

/**
 * Deletes ended sessions — revoked or expired — once no access token of theirs can still be valid
 * (ACCESS_TOKEN_TTL after they ended, plus a margin), and the revocations kept after deleted
 * accounts likewise: until then the revocation list reads them. At start, then every hour (see
 * PeriodicJob: no overlap, failures logged, shutdown waits for the pass).
 */
@Injectable()
export class SessionRetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('SessionRetention');
  private readonly job = new PeriodicJob({
    name: 'Session retention',
    everyMs: SESSION_PURGE_INTERVAL_MS,
    logger: this.logger,
    pass: () => this.purge(),
  });

  constructor(
    private readonly sessions: SessionsRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.job.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.job.stop();
  }

  /** One pass; overlapping passes are skipped. */
  run(): Promise<void> {
    return this.job.run();
  }

  /** Sessions that ended before this are gone after a pass. */
  cutoff(now = Date.now()): Date {
    return new Date(now - this.config.jwt.accessTokenTtlSeconds * 1000 - SESSION_PURGE_MARGIN_MS);
  }

  private async purge(): Promise<void> {
    const cutoff = this.cutoff();
    const deleted = await this.sessions.deleteEndedBefore(cutoff);
    if (deleted > 0) {
      this.logger.log(`Deleted ${deleted} sessions that ended before ${cutoff.toISOString()}`);
    }
  }
}
