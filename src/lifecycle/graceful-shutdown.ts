import { Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config.js';

/**
 * Shutdown that a load balancer can follow: on SIGTERM/SIGINT readiness answers 503 at once;
 * after SHUTDOWN_DRAIN (the balancer has seen it by then) the server stops accepting connections,
 * lets every accepted request finish, and closes the database, Redis, hashing workers and timers.
 * The process then ends by itself, exit code 0. If it has not after SHUTDOWN_TIMEOUT, what was
 * still running is logged and it exits 1.
 */
@Injectable()
export class GracefulShutdown {
  private readonly logger = new Logger('Shutdown');
  /** Requests accepted and not yet answered; what they were is only read when shutdown gives up. */
  private readonly inFlight = new Map<FastifyRequest, FastifyReply>();
  private started = false;

  constructor(private readonly config: AppConfig) {}

  /** True from the signal on: readiness fails, responses ask clients to reconnect elsewhere. */
  get draining(): boolean {
    return this.started;
  }

  track(request: FastifyRequest, reply: FastifyReply): void {
    this.inFlight.set(request, reply);
  }

  untrack(request: FastifyRequest): void {
    this.inFlight.delete(request);
  }

  /** Runs the shutdown once; `close` stops the server and the app (Nest's shutdown hooks). */
  async begin(signal: string, close: () => Promise<void>): Promise<void> {
    if (this.started) return;
    this.started = true;
    const { drainSeconds, timeoutSeconds } = this.config.shutdown;
    this.logger.log(
      `${signal}: readiness now answers 503; closing in ${drainSeconds}s, exiting within ${timeoutSeconds}s`,
    );
    const deadline = setTimeout(() => this.giveUp(), timeoutSeconds * 1000);
    // Unref'd: it must not itself keep the process alive once everything else has closed.
    deadline.unref();
    await new Promise((resolve) => setTimeout(resolve, drainSeconds * 1000));
    this.logger.log(`Closing: ${this.inFlight.size} request(s) still in flight will complete`);
    try {
      await close();
      this.logger.log('Closed; exiting');
      process.exitCode = 0;
    } catch (error) {
      this.logger.error(
        `Shutdown failed: ${error instanceof Error ? error.message : 'unknown error'}`,
      );
      process.exit(1);
    }
  }

  private giveUp(): void {
    const requests = [...this.inFlight].map(
      ([r, reply]) =>
        `${r.method} ${r.routeOptions.url ?? '(unmatched)'} (${Math.round(reply.elapsedTime / 1000)}s)`,
    );
    this.logger.error(
      `Shutdown timed out after ${this.config.shutdown.timeoutSeconds}s; still running: ${
        requests.length ? `requests ${requests.join(', ')}; ` : ''
      }resources ${process.getActiveResourcesInfo().join(', ')}`,
    );
    process.exit(1);
  }
}
