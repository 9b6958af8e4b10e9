import type { Logger } from '@nestjs/common';
import { errorMessage } from '../logging/error-message.js';

export interface PeriodicJobOptions {
  /** What a pass is, as the logs name it: "Session retention" logs "Session retention failed: …". */
  readonly name: string;
  /** Milliseconds between two passes. */
  readonly everyMs: number;
  /** The owner's logger, so the failure is logged under the owner's context. */
  readonly logger: Logger;
  /**
   * Log a failure once, not at every pass, and "… recovered" at the next pass that succeeds: for
   * jobs frequent enough (every 500 ms) that one log line per pass would flood the logs.
   */
  readonly logFirstFailureOnly?: boolean;
  /** One pass. The signal aborts when shutdown begins: a long pass may stop early. */
  readonly pass: (stopping: AbortSignal) => Promise<void>;
}

/**
 * The one shape of the service's background work (retention purges, the mail sender, the
 * revocation sync): a pass at start, then one every `everyMs` on a timer that never keeps the
 * process alive; never two passes at once (a tick that finds one running is skipped, so a slow
 * database cannot pile them up); a failed pass is logged, never thrown, and the next tick tries
 * again; shutdown stops the timer and waits for the pass in progress.
 */
export class PeriodicJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private failing = false;
  private readonly stopping = new AbortController();

  constructor(private readonly options: PeriodicJobOptions) {}

  /** Runs a pass now unless `{ now: false }`, then one every `everyMs`. */
  start({ now = true }: { now?: boolean } = {}): void {
    if (this.stopping.signal.aborted || this.timer) return;
    if (now) void this.run();
    this.timer = setInterval(() => void this.run(), this.options.everyMs);
    this.timer.unref();
  }

  /** Runs a pass unless one is running; answers the pass in progress. */
  run(): Promise<void> {
    if (this.stopping.signal.aborted) return this.running ?? Promise.resolve();
    this.running ??= this.passes().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /**
   * Runs a pass now; if one is running, runs one more once it ends (new work arrived that the
   * pass in progress may have missed).
   */
  wake(): void {
    if (this.stopping.signal.aborted) return;
    if (this.running) this.again = true;
    else void this.run();
  }

  /** Resolves once no pass is running (a follow-up pass included). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops the timer, asks the pass in progress to stop, and waits for it. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort();
    await this.idle();
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      await this.guarded();
    } while (this.again && !this.stopping.signal.aborted);
  }

  private async guarded(): Promise<void> {
    const { name, logger, logFirstFailureOnly = false } = this.options;
    try {
      await this.options.pass(this.stopping.signal);
      if (this.failing && logFirstFailureOnly) logger.log(`${name} recovered`);
      this.failing = false;
    } catch (error) {
      if (!this.failing || !logFirstFailureOnly)
        logger.error(`${name} failed: ${errorMessage(error)}`);
      this.failing = true;
    }
  }
}
