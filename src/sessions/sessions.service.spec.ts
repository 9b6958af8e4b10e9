import { createSecretKey, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { AppConfig } from '../config/app-config.js';
import type { ServerSecrets } from '../secrets/server-secrets.js';
import { InMemorySessionsRepository } from './repositories/in-memory.sessions.repository.js';
import type { RevocationList } from './revocation-list.js';
import { SessionsService, type RefreshOutcome } from './sessions.service.js';

const client = { ip: '203.0.113.7', userAgent: 'Unit/1.0', requestId: 'req-1' };
const T0 = new Date('2026-01-01T00:00:00Z').getTime();

describe('SessionsService: rotation and the reuse window', () => {
  let repository: InMemorySessionsRepository;
  let service: SessionsService;
  let revoked: string[];

  beforeEach(() => {
    jest.useFakeTimers({ now: T0, doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    repository = new InMemorySessionsRepository();
    revoked = [];
    const revocations = { revoke: (ids: readonly string[]) => revoked.push(...ids) };
    const config = { jwt: { refreshReuseIntervalSeconds: 10, refreshTokenTtlSeconds: 86_400 } };
    const secrets = { refreshToken: createSecretKey(randomBytes(32)) };
    service = new SessionsService(
      repository,
      revocations as unknown as RevocationList,
      config as AppConfig,
      secrets as unknown as ServerSecrets,
    );
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  const at = (seconds: number) => jest.setSystemTime(T0 + seconds * 1000);
  const tokenOf = (outcome: RefreshOutcome): string => {
    if (outcome.kind !== 'rotated') throw new Error(`expected a rotation, got ${outcome.kind}`);
    return outcome.refreshToken;
  };

  it('rotates one session 10,000 times into one row, its newest token current', async () => {
    const { session, refreshToken } = await service.start('user-1', client);
    let token = refreshToken;
    for (let i = 0; i < 10_000; i++) token = tokenOf(await service.rotate(token, client));
    expect(await repository.findById(session.id)).toMatchObject({ generation: 10_000 });
    expect(await repository.listLive('user-1', new Date())).toHaveLength(1);
    expect(await service.findToken(token)).toMatchObject({ current: true });
    // Any old token of ours is still recognised (as spent) without any history kept.
    expect(await service.findToken(refreshToken)).toMatchObject({ current: false });
  });

  it('answers a retry of a recently spent token with the current one, and nothing else changes', async () => {
    const { refreshToken: g0 } = await service.start('user-1', client);
    const g1 = tokenOf(await service.rotate(g0, client));
    at(3);
    const g2 = tokenOf(await service.rotate(g1, client));
    at(9);
    expect(await service.rotate(g0, client)).toMatchObject({
      kind: 'rotated',
      refreshToken: g2,
      reuseTolerated: true,
    });
    expect(revoked).toEqual([]);
  });

  it('keeps answering the previous generation when the window moves on', async () => {
    const { refreshToken: g0 } = await service.start('user-1', client);
    const g1 = tokenOf(await service.rotate(g0, client)); // g0 spent at 0 s
    at(9);
    const g2 = tokenOf(await service.rotate(g1, client)); // g1 spent at 9 s
    at(11);
    const g3 = tokenOf(await service.rotate(g2, client)); // g2 spent at 11 s: the window moves to g1
    at(12);
    expect(await service.rotate(g1, client)).toMatchObject({ refreshToken: g3 });
    // g0 was spent 12 s ago, beyond the interval: reuse.
    expect(await service.rotate(g0, client)).toMatchObject({ kind: 'reused' });
    expect(revoked).toHaveLength(1);
    expect(await service.rotate(g3, client)).toEqual({ kind: 'invalid' });
  });

  it('is stricter than per-token spend times where the window skipped a generation (documented)', async () => {
    const { refreshToken: g0 } = await service.start('user-1', client);
    const g1 = tokenOf(await service.rotate(g0, client)); // g0 spent at 0 s
    at(6);
    const g2 = tokenOf(await service.rotate(g1, client)); // g1 spent at 6 s
    at(8);
    const g3 = tokenOf(await service.rotate(g2, client)); // g2 spent at 8 s
    at(12);
    await service.rotate(g3, client); // the window moves to g2, spent at 8 s
    at(13);
    // g1 was spent 7 s ago, but before the window: reuse.
    expect(await service.rotate(g1, client)).toMatchObject({ kind: 'reused' });
  });

  it('treats a spent token as reuse once the interval has passed', async () => {
    const { refreshToken: g0 } = await service.start('user-1', client);
    const g1 = tokenOf(await service.rotate(g0, client));
    at(10.001);
    expect(await service.rotate(g0, client)).toMatchObject({ kind: 'reused' });
    expect(await service.rotate(g1, client)).toEqual({ kind: 'invalid' });
  });

  it('refuses a token of an expired session, and a forged one, without ending anything', async () => {
    const { refreshToken } = await service.start('user-1', client);
    const forged = Buffer.from(refreshToken, 'base64url');
    forged[30] = forged[30]! ^ 1;
    expect(await service.rotate(forged.toString('base64url'), client)).toEqual({ kind: 'invalid' });
    expect(await service.rotate(randomBytes(32).toString('base64url'), client)).toEqual({
      kind: 'invalid',
    });
    expect(revoked).toEqual([]);
    at(86_401);
    expect(await service.rotate(refreshToken, client)).toEqual({ kind: 'invalid' });
  });
});
