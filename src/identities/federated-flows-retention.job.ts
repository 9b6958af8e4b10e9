import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicJob } from '../lifecycle/periodic-job.js';
import { FederatedFlowsRepository, type FederatedPurge } from './federated-flows.repository.js';

export const FEDERATED_PURGE_INTERVAL_MS = 15 * 60_000;
/**
 * How long a code stays after it expired (it lives 60 s): a replay within this answers
 * `invalid_grant` and still ends what the first presentation produced (RFC 6749 §4.1.2); later,
 * the code is simply unknown.
 */
export const CODE_KEPT_AFTER_EXPIRY_MS = 24 * 3_600_000;

/**
 * Deletes flows the browser never came back from, once expired, and codes a day after they
 * expired, used or not: at start, then every 15 minutes (see PeriodicJob: no overlap, failures
 * logged, shutdown waits for the pass).
 */
@Injectable()
export class FederatedFlowsRetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('FederatedFlowsRetention');
  private readonly job = new PeriodicJob({
    name: 'Sign-in flow retention',
    everyMs: FEDERATED_PURGE_INTERVAL_MS,
    logger: this.logger,
    pass: () => this.purge(),
  });

  constructor(private readonly flows: FederatedFlowsRepository) {}

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

  /** What a pass at `now` deletes. */
  cutoffs(now = Date.now()): FederatedPurge {
    return {
      flowsExpiredBefore: new Date(now),
      codesExpiredBefore: new Date(now - CODE_KEPT_AFTER_EXPIRY_MS),
    };
  }

  private async purge(): Promise<void> {
    const { flows, codes } = await this.flows.purgeExpired(this.cutoffs());
    if (flows + codes > 0) {
      this.logger.log(`Deleted ${flows} expired sign-in flows and ${codes} expired codes`);
    }
  }
}
