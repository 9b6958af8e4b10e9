import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { RedisConfig } from '../config/app-config.js';

const CONNECT_WAIT_MS = 2_000;

/**
 * The Redis connections (commands, and one for pub/sub) with the service's key prefix. Commands
 * fail at once while Redis is away (no offline queue), so callers fall back instead of waiting;
 * ioredis reconnects by itself. Going away and coming back are each logged once.
 */
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis;
  private subscriber: Redis | undefined;
  private readonly logger = new Logger('Redis');
  private up = false;
  private closing = false;

  constructor(private readonly config: RedisConfig) {
    this.client = new Redis(config.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: CONNECT_WAIT_MS,
      retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    });
    this.client.on('ready', () => this.changed(true));
    this.client.on('error', () => this.changed(false));
    this.client.on('close', () => this.changed(false));
  }

  /** Connects, waiting up to 2 s; a Redis that is not there yet does not stop the boot. */
  static async connect(config: RedisConfig): Promise<RedisConnection> {
    const connection = new RedisConnection(config);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CONNECT_WAIT_MS);
      connection.client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return connection;
  }

  get available(): boolean {
    return this.up;
  }

  /** A key or channel name under this service's prefix. */
  key(name: string): string {
    return `${this.config.keyPrefix}${name}`;
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  /** Calls `handler` for every message on the channel, resubscribing after reconnects. */
  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    this.subscriber ??= new Redis(this.config.url, {
      retryStrategy: (attempt) => Math.min(attempt * 250, 2_000),
    });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (name: string, message: string) => {
      if (name === this.key(channel)) handler(message);
    });
    await this.subscriber.subscribe(this.key(channel));
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.key(channel), message);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([this.client.quit(), this.subscriber?.quit()]);
  }

  private changed(up: boolean): void {
    if (up === this.up || this.closing) return;
    this.up = up;
    if (up) this.logger.log('Redis is available: limits and revocations are shared again');
    else {
      this.logger.warn(
        'Redis is unavailable: rate limits fall back to this instance, revocations to the database',
      );
    }
  }
}
