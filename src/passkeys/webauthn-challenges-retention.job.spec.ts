import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  CHALLENGE_PURGE_INTERVAL_MS,
  WebauthnChallengesRetentionJob,
} from './webauthn-challenges-retention.job.js';
import type { WebauthnChallengesRepository } from './webauthn-challenges.repository.js';

const NOW = new Date('2026-01-01T00:00:00Z').getTime();

describe('WebauthnChallengesRetentionJob', () => {
  let cutoffs: Date[];
  let deleted: number;
  let job: WebauthnChallengesRetentionJob;

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    cutoffs = [];
    deleted = 0;
    const repository = {
      purgeExpired: (before: Date) => {
        cutoffs.push(before);
        return Promise.resolve(deleted);
      },
    };
    job = new WebauthnChallengesRetentionJob(repository as unknown as WebauthnChallengesRepository);
  });
  afterEach(async () => {
    await job.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('purges challenges expired by now, at start and then every 15 minutes', async () => {
    job.onApplicationBootstrap();
    await job.run();
    expect(cutoffs).toEqual([new Date(NOW)]);
    jest.advanceTimersByTime(CHALLENGE_PURGE_INTERVAL_MS);
    await job.run();
    expect(cutoffs).toHaveLength(2);
    expect(cutoffs[1]!.getTime() - NOW).toBe(CHALLENGE_PURGE_INTERVAL_MS);
  });

  it('logs what it deleted, and nothing when it deleted nothing', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    await job.run();
    expect(log).not.toHaveBeenCalled();
    deleted = 4;
    await job.run();
    expect(log).toHaveBeenCalledWith('Deleted 4 expired passkey challenges');
  });
});
