import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import {
  CODE_KEPT_AFTER_EXPIRY_MS,
  FEDERATED_PURGE_INTERVAL_MS,
  FederatedFlowsRetentionJob,
} from './federated-flows-retention.job.js';
import type { FederatedFlowsRepository, FederatedPurge } from './federated-flows.repository.js';

const NOW = new Date('2026-01-01T00:00:00Z').getTime();

describe('FederatedFlowsRetentionJob', () => {
  let purges: FederatedPurge[];
  let deleted: { flows: number; codes: number };
  let job: FederatedFlowsRetentionJob;

  beforeEach(() => {
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    purges = [];
    deleted = { flows: 0, codes: 0 };
    const repository = {
      purgeExpired: (purge: FederatedPurge) => {
        purges.push(purge);
        return Promise.resolve(deleted);
      },
    };
    job = new FederatedFlowsRetentionJob(repository as unknown as FederatedFlowsRepository);
  });
  afterEach(async () => {
    await job.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('purges at start and then every 15 minutes: flows once expired, codes a day after', async () => {
    job.onApplicationBootstrap();
    await job.run();
    expect(purges).toEqual([
      {
        flowsExpiredBefore: new Date(NOW),
        codesExpiredBefore: new Date(NOW - CODE_KEPT_AFTER_EXPIRY_MS),
      },
    ]);
    jest.advanceTimersByTime(FEDERATED_PURGE_INTERVAL_MS);
    await job.run();
    expect(purges).toHaveLength(2);
    expect(purges[1]!.flowsExpiredBefore.getTime() - NOW).toBe(FEDERATED_PURGE_INTERVAL_MS);
  });

  it('logs what it deleted, and nothing when it deleted nothing', async () => {
    const log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    await job.run();
    expect(log).not.toHaveBeenCalled();
    deleted = { flows: 3, codes: 2 };
    await job.run();
    expect(log).toHaveBeenCalledWith('Deleted 3 expired sign-in flows and 2 expired codes');
  });
});
