import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { FileKeyRingStore } from './key-ring.file.js';
import { rotateKeys } from './key-ring.store.js';
import { SigningKeys } from './signing-keys.js';

describe('SigningKeys', () => {
  let dataDir: string;
  let store: FileKeyRingStore;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'keys-'));
    store = new FileKeyRingStore(dataDir);
  });
  afterEach(async () => {
    jest.useRealTimers();
    await rm(dataDir, { recursive: true, force: true });
  });
  const config = (env: Record<string, string> = {}) =>
    AppConfig.fromEnv({ NODE_ENV: 'test', DATA_DIR: dataDir, ...env });

  it('creates a ring with one key of the configured algorithm on first load, and reuses it', async () => {
    const keys = await SigningKeys.load(config({ JWT_ALGORITHM: 'ES256' }), store);
    expect(keys.current.alg).toBe('ES256');
    const again = await SigningKeys.load(config({ JWT_ALGORITHM: 'ES256' }), store);
    expect(again.current.kid).toBe(keys.current.kid);
  });

  it('keeps the file ring owner-only', async () => {
    await SigningKeys.load(config(), store);
    expect((await stat(store.path)).mode & 0o777).toBe(0o600);
  });

  it('holds HS256 secrets as secret KeyObjects and never publishes them', async () => {
    const keys = await SigningKeys.load(config(), store);
    expect(keys.current.signWith.type).toBe('secret');
    expect(keys.jwks()).toEqual({ keys: [] });
  });

  it('uses JWT_SECRET as given, without touching the ring', async () => {
    const keys = await SigningKeys.load(
      config({ JWT_SECRET: 'q8Zr2VbN5mTx7LwPj3Hs9DkF4cYg6AeU' }),
      store,
    );
    expect(keys.current.signWith.symmetricKeySize).toBe(32);
    expect(await store.read()).toEqual([]);
  });

  it('keeps verifying with an older algorithm’s keys after JWT_ALGORITHM changes', async () => {
    const hs = await SigningKeys.load(config(), store);
    const rs = await SigningKeys.load(config({ JWT_ALGORITHM: 'RS256' }), store);
    expect(rs.current.alg).toBe('RS256');
    expect(rs.find(hs.current.kid)?.alg).toBe('HS256');
  });

  it('picks up a key rotated in by another process when a token names it, at most every 5 s', async () => {
    jest.useFakeTimers({ now: Date.now(), doNotFake: ['setImmediate', 'nextTick'] });
    const keys = await SigningKeys.load(config({ JWT_ALGORITHM: 'RS256' }), store);
    const { added } = await rotateKeys(store, 'RS256', 900);
    expect(await keys.findOrReload(added.kid)).toBeUndefined();
    jest.advanceTimersByTime(5_001);
    expect((await keys.findOrReload(added.kid))?.kid).toBe(added.kid);
    // It keeps signing with the key it started with until restarted.
    expect(keys.current.kid).not.toBe(added.kid);
  });

  it('keeps at most three keys, dropping only those retired longer than a token lives', async () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    for (const minute of [0, 1, 2, 3]) await rotateKeys(store, 'ES256', 900, at(minute));
    // The fourth key came a minute after the third: nothing is old enough to go.
    expect(await store.read()).toHaveLength(4);
    // An hour later the two oldest have been retired for more than 15 minutes.
    const { removed } = await rotateKeys(store, 'ES256', 900, at(60));
    expect(removed).toHaveLength(2);
    expect(await store.read()).toHaveLength(3);
  });
});
