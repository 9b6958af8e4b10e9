import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { AppConfig } from '../../config/app-config.js';
import type { Database } from '../../database/database.js';
import { InMemorySessionsRepository } from './repositories/in-memory.sessions.repository.js';
import { REVOCATION_SYNC_INTERVAL_MS, RevocationList } from './revocation-list.js';

describe('RevocationList sync', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  const config = AppConfig.fromEnv({ NODE_ENV: 'test', DATABASE_URL: 'memory:' });
  // Only its presence matters: it turns the periodic sync on.
  const shared = {} as Database;

  it('runs one read at a time while the store is slow, then picks up where it left off', async () => {
    jest.useFakeTimers();
    const sessions = new InMemorySessionsRepository();
    const revokedSince = jest.spyOn(sessions, 'revokedSince');
    const list = new RevocationList(sessions, config, shared);
    await list.onModuleInit();
    expect(revokedSince).toHaveBeenCalledTimes(1);

    let answer: (rows: { id: string; revokedAt: Date }[]) => void = () => undefined;
    revokedSince.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    await jest.advanceTimersByTimeAsync(REVOCATION_SYNC_INTERVAL_MS * 10);
    // Ten ticks, one read: the rest found it still running.
    expect(revokedSince).toHaveBeenCalledTimes(2);

    answer([{ id: 'ended-elsewhere', revokedAt: new Date() }]);
    await jest.advanceTimersByTimeAsync(REVOCATION_SYNC_INTERVAL_MS);
    expect(list.isRevoked('ended-elsewhere')).toBe(true);
    expect(revokedSince).toHaveBeenCalledTimes(3);
    list.onApplicationShutdown();
  });

  it('keeps syncing after the store fails', async () => {
    jest.useFakeTimers();
    const sessions = new InMemorySessionsRepository();
    const revokedSince = jest.spyOn(sessions, 'revokedSince');
    const list = new RevocationList(sessions, config, shared);
    await list.onModuleInit();

    revokedSince.mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    await jest.advanceTimersByTimeAsync(REVOCATION_SYNC_INTERVAL_MS);
    revokedSince.mockResolvedValueOnce([{ id: 'ended-elsewhere', revokedAt: new Date() }]);
    await jest.advanceTimersByTimeAsync(REVOCATION_SYNC_INTERVAL_MS);
    expect(list.isRevoked('ended-elsewhere')).toBe(true);
    list.onApplicationShutdown();
  });
});
