import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { PeriodicJob } from '../lifecycle/periodic-job.js';
import { AuditRepository } from './audit.repository.js';

const HOUR_MS = 3_600_000;

/**
 * Deletes audit events older than AUDIT_RETENTION: at start, then every hour (or every half
 * retention period, when that is shorter); see PeriodicJob for overlap, failures and shutdown.
 */
@Injectable()
export class AuditRetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private readonly job: PeriodicJob;

  constructor(
    private readonly events: AuditRepository,
    private readonly config: AppConfig,
  ) {
    const retentionMs = config.auditRetentionSeconds * 1000;
    this.job = new PeriodicJob({
      name: 'Audit retention',
      everyMs: Math.max(1_000, Math.min(HOUR_MS, retentionMs / 2)),
      logger: this.logger,
      pass: () => this.purge(),
    });
  }

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
    const cutoff = new Date(Date.now() - this.config.auditRetentionSeconds * 1000);
    const deleted = await this.events.deleteOlderThan(cutoff);
    if (deleted > 0)
      this.logger.log(`Deleted ${deleted} audit events older than ${cutoff.toISOString()}`);
  }
}
