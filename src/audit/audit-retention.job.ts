import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { AuditRepository } from './audit.repository.js';

const HOUR_MS = 3_600_000;

/**
 * Deletes audit events older than AUDIT_RETENTION: at start, then every hour (or every half
 * retention period, when that is shorter). The timer never keeps the process alive.
 */
@Injectable()
export class AuditRetentionJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly events: AuditRepository,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const retentionMs = this.config.auditRetentionSeconds * 1000;
    const every = Math.max(1_000, Math.min(HOUR_MS, retentionMs / 2));
    void this.run();
    this.timer = setInterval(() => void this.run(), every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One pass; overlapping passes are skipped. */
  run(): Promise<void> {
    this.running ??= this.purge().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async purge(): Promise<void> {
    const cutoff = new Date(Date.now() - this.config.auditRetentionSeconds * 1000);
    try {
      const deleted = await this.events.deleteOlderThan(cutoff);
      if (deleted > 0)
        this.logger.log(`Deleted ${deleted} audit events older than ${cutoff.toISOString()}`);
    } catch (error) {
      this.logger.error(
        `Audit retention failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
    }
  }
}
