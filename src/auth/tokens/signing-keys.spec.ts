import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { AppConfig } from '../../config/app-config.js';
import { keyRingPath, readKeyRing, rotateKeyRing } from './key-ring.file.js';
import { SigningKeys } from './signing-keys.js';

describe('SigningKeys', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'keys-'));
  });
  afterEach(async () => {
    jest.useRealTimers();
    await rm(dataDir, { recursive: true, force: true });
  });
  const config = (env: Record<string, string> = {}) =>
    AppConfig.fromEnv({ NODE_ENV: 'test', DATA_DIR: dataDir, ...env });

  it('creates an owner-only ring with one key of the configured algorithm on first load', async () => {
    const keys = await SigningKeys.load(config({ JWT_ALGORITHM: 'ES256' }));
    expect(keys.current.alg).toBe('ES256');
    expect((await stat(keyRingPath(dataDir))).mode & 0o777).toBe(0o600);
    const again = await SigningKeys.load(config({ JWT_ALGORITHM: 'ES256' }));
    expect(again.current.kid).toBe(keys.current.kid);
  });

  it('holds HS256 secrets as secret KeyObjects and never publishes them', async () => {
    const keys = await SigningKeys.load(config());
    expect(keys.current.signWith.type).toBe('secret');
    expect(keys.jwks()).toEqual({ keys: [] });
  });

  it('keeps verifying with an older algorithm’s keys after JWT_ALGORITHM changes', async () => {
    const hs = await SigningKeys.load(config());
    const rs = await SigningKeys.load(config({ JWT_ALGORITHM: 'RS256' }));
    expect(rs.current.alg).toBe('RS256');
    expect(rs.find(hs.current.kid)?.alg).toBe('HS256');
  });

  it('picks up a key rotated in by another process when a token names it, at most every 5 s', async () => {
    jest.useFakeTimers({ now: Date.now() });
    const keys = await SigningKeys.load(config({ JWT_ALGORITHM: 'RS256' }));
    const { added } = await rotateKeyRing(dataDir, 'RS256', 900);
    expect(keys.find(added.kid)).toBeUndefined();
    jest.advanceTimersByTime(5_001);
    expect(keys.find(added.kid)?.kid).toBe(added.kid);
    // It keeps signing with the key it started with until restarted.
    expect(keys.current.kid).not.toBe(added.kid);
  });

  it('keeps at most three keys, dropping only those retired longer than a token lives', async () => {
    const start = new Date('2026-01-01T00:00:00Z');
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);
    await rotateKeyRing(dataDir, 'ES256', 900, at(0));
    await rotateKeyRing(dataDir, 'ES256', 900, at(1));
    await rotateKeyRing(dataDir, 'ES256', 900, at(2));
    // A fourth key one minute later: the oldest's successor is only a minute old, so all stay.
    await rotateKeyRing(dataDir, 'ES256', 900, at(3));
    expect(readKeyRing(dataDir)).toHaveLength(4);
    // An hour later the two oldest have been retired for more than 15 minutes.
    const { removed } = await rotateKeyRing(dataDir, 'ES256', 900, at(60));
    expect(removed).toHaveLength(2);
    expect(readKeyRing(dataDir)).toHaveLength(3);
  });
});
