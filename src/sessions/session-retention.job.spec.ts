import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '../config/app-config.js';
import {
  SESSION_PURGE_INTERVAL_MS,
  SESSION_PURGE_MARGIN_MS,
  SessionRetentionJob,
} from './session-retention.job.js';
import type { SessionsRepository } from './sessions.repository.js';

const NOW = new Date('2026-01-01T00:00:00Z').getTime();
const ACCESS_TOKEN_TTL_S = 900;

describe('SessionRetentionJob', () => {
  let cutoffs: Date[];
  let purge: (cutoff: Date) => Promise<number>;
  let job: SessionRetentionJob;

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    cutoffs = [];
    purge = () => Promise.resolve(0);
    const sessions = {
      deleteEndedBefore: (cutoff: Date) => {
        cutoffs.push(cutoff);
        return purge(cutoff);
      },
    };
    const config = { jwt: { accessTokenTtlSeconds: ACCESS_TOKEN_TTL_S } };
    job = new SessionRetentionJob(
      sessions as unknown as SessionsRepository,
      config as unknown as AppConfig,
    );
  });
  afterEach(async () => {
    await job.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('purges at start and then every hour, never what ended within ACCESS_TOKEN_TTL + margin', async () => {
    job.onApplicationBootstrap();
    await job.run();
    expect(cutoffs).toEqual([new Date(NOW - ACCESS_TOKEN_TTL_S * 1000 - SESSION_PURGE_MARGIN_MS)]);
    jest.advanceTimersByTime(SESSION_PURGE_INTERVAL_MS);
    await job.run();
    expect(cutoffs).toHaveLength(2);
    expect(cutoffs[1]!.getTime() - cutoffs[0]!.getTime()).toBe(SESSION_PURGE_INTERVAL_MS);
  });

  it('skips a pass while one is running, and shutdown waits for it', async () => {
    let finish: (deleted: number) => void = () => undefined;
    purge = () => new Promise((resolve) => (finish = resolve));
    const first = job.run();
    expect(job.run()).toBe(first);
    expect(cutoffs).toHaveLength(1);
    let stopped = false;
    const shutdown = job.onApplicationShutdown().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    finish(3);
    await shutdown;
    expect(stopped).toBe(true);
  });

  it('logs a failed pass instead of throwing, and tries again at the next one', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    purge = () => Promise.reject(new Error('database away'));
    await expect(job.run()).resolves.toBeUndefined();
    expect(errors).toHaveBeenCalledWith('Session retention failed: database away');
    purge = () => Promise.resolve(1);
    await job.run();
    expect(cutoffs).toHaveLength(2);
  });
});
