import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Injectable, OnApplicationShutdown, OnModuleInit, Optional } from '@nestjs/common';
import bcrypt from 'bcryptjs';
import { Piscina } from 'piscina';
import { ProblemException } from '../common/problems/problem.exception.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PasswordHasher } from './password-hasher.js';
import { PASSWORD_MAX_BYTES, utf8Length } from './password-policy.js';

const CURRENT_PREFIX = '$2b$';
/** Waiting hashes per worker before logins are turned away with 503 rather than queued forever. */
const QUEUE_PER_WORKER = 256;

/**
 * bcryptjs in a pool of worker threads (piscina), one per core by default: a cost-12 hash takes
 * ~200 ms of CPU, which on the event loop would stall every other request. Also keeps the dummy
 * hash that makes unknown users as slow as known ones.
 */
@Injectable()
export class BcryptPasswordHasher
  extends PasswordHasher
  implements OnModuleInit, OnApplicationShutdown
{
  private readonly pool: Piscina;
  private dummyHash = '';

  constructor(
    private readonly config: AppConfig,
    @Optional() private readonly metrics?: MetricsService,
  ) {
    super();
    const threads = config.hashWorkers;
    this.pool = new Piscina({
      filename: new URL('./bcrypt.worker.mjs', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      maxQueue: threads * QUEUE_PER_WORKER,
      idleTimeout: Number.MAX_SAFE_INTEGER,
    });
    metrics?.gauge(
      'password_hash_queue_depth',
      'Password hashes and checks waiting for a worker thread.',
      () => this.pool.queueSize,
    );
  }

  async onModuleInit(): Promise<void> {
    this.dummyHash = await this.hash(randomBytes(18).toString('base64'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.destroy();
  }

  /** Hashes waiting for a worker: the queue depth. */
  get queued(): number {
    return this.pool.queueSize;
  }

  hash(password: string): Promise<string> {
    return this.run<string>('hash', { password, cost: this.config.bcryptCost });
  }

  async verify(password: string, hash: string | null | undefined): Promise<boolean> {
    // Never let bcrypt's 72-byte truncation make a longer password match; still spend the time.
    const usable = typeof hash === 'string' && utf8Length(password) <= PASSWORD_MAX_BYTES;
    const matches = await this.compare(password, usable ? hash : this.dummyHash);
    return usable && matches;
  }

  /** Older formats ($2a$, $2y$) and lower costs are upgraded at the next successful login. */
  needsRehash(hash: string): boolean {
    return !hash.startsWith(CURRENT_PREFIX) || bcrypt.getRounds(hash) < this.config.bcryptCost;
  }

  protected compare(password: string, hash: string): Promise<boolean> {
    return this.run<boolean>('compare', { password, hash });
  }

  private async run<T>(name: 'hash' | 'compare', task: object): Promise<T> {
    const started = performance.now();
    try {
      const result = (await this.pool.run(task, { name })) as T;
      this.metrics?.hashed(name, (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      if (this.pool.queueSize >= this.config.hashWorkers * QUEUE_PER_WORKER) {
        throw new ProblemException('serviceBusy', 'Too many password checks at once; try again.', {
          headers: { 'Retry-After': '1' },
        });
      }
      throw error;
    }
  }
}
