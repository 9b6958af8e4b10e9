import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicJob } from '../lifecycle/periodic-job.js';
import { WebauthnChallengesRepository } from './webauthn-challenges.repository.js';

export const CHALLENGE_PURGE_INTERVAL_MS = 15 * 60_000;

/**
 * Deletes passkey challenges nobody answered, once expired: at start, then every 15 minutes (see
 * PeriodicJob: no overlap, failures logged, shutdown waits for the pass).
 */
@Injectable()
export class WebauthnChallengesRetentionJob
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger('WebauthnChallengesRetention');
  private readonly job = new PeriodicJob({
    name: 'Passkey challenge retention',
    everyMs: CHALLENGE_PURGE_INTERVAL_MS,
    logger: this.logger,
    pass: () => this.purge(),
  });

  constructor(private readonly challenges: WebauthnChallengesRepository) {}

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

  private async purge(): Promise<void> {
    const deleted = await this.challenges.purgeExpired(new Date());
    if (deleted > 0) this.logger.log(`Deleted ${deleted} expired passkey challenges`);
  }
}
