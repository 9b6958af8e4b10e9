import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import type { Database } from '../database/database.js';
import { InMemorySessionsRepository } from './repositories/in-memory.sessions.repository.js';
import { REVOCATION_SYNC_INTERVAL_MS, RevocationList } from './revocation-list.js';
import type { RevocationsRead } from './sessions.repository.js';

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
    const revocationsAfter = jest.spyOn(sessions, 'revocationsAfter');
    const list = new RevocationList(sessions, config, shared);
    await list.onModuleInit();
    expect(revocationsAfter).toHaveBeenCalledTimes(1);

    let answer: (read: RevocationsRead) => void = () => undefined;
    revocationsAfter.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    await jest.advanceTimersByTimeAsync(REVOCATION_SYNC_INTERVAL_MS * 10);
    // Ten ticks, one read: the rest found it still running.
    expect(revocationsAfter).toHaveBeenCalledTimes(2);

    answer({ revoked: [{ id: 'ended-elsewhere', revokedAt: new Date() }], cursor: '0' });
    await jest.advanceTimersByTimeAsync(REVOCATION_SYNC_INTERVAL_MS);
    expect(list.isRevoked('ended-elsewhere')).toBe(true);
    expect(revocationsAfter).toHaveBeenCalledTimes(3);
    await list.onApplicationShutdown();
  });

  it('keeps syncing after the store fails', async () => {
    jest.useFakeTimers();
    const sessions = new InMemorySessionsRepository();
    const revocationsAfter = jest.spyOn(sessions, 'revocationsAfter');
    const list = new RevocationList(sessions, config, shared);
    await list.onModuleInit();

    revocationsAfter.mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    await jest.advanceTimersByTimeAsync(REVOCATION_SYNC_INTERVAL_MS);
    revocationsAfter.mockResolvedValueOnce({
      revoked: [{ id: 'ended-elsewhere', revokedAt: new Date() }],
      cursor: '0',
    });
    await jest.advanceTimersByTimeAsync(REVOCATION_SYNC_INTERVAL_MS);
    expect(list.isRevoked('ended-elsewhere')).toBe(true);
    await list.onApplicationShutdown();
  });
});
