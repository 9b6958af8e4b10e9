import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FileKeyRingStore } from '../../src/tokens/key-ring.file.js';
import { SqlKeyRingStore } from '../../src/tokens/key-ring.sql.js';
import type { KeyRingStore } from '../../src/tokens/key-ring.store.js';
import { generateKey } from '../../src/tokens/signing-key.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';

describe.each(STORES)('KeyRingStore contract: %s', (name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let ring: KeyRingStore;
  let dir: string;

  beforeAll(async () => {
    store = await open();
    dir = await mkdtemp(join(tmpdir(), 'ring-'));
    // With the memory store, generated keys are kept in DATA_DIR.
    ring = store.db ? new SqlKeyRingStore(store.db) : new FileKeyRingStore(dir);
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`keeps keys of every algorithm, oldest first, and gives them back intact (${name})`, async () => {
    expect(await ring.read()).toEqual([]);
    const t = Date.now();
    const keys = [
      generateKey('ES256', new Date(t + 2000)),
      generateKey('HS256', new Date(t)),
      generateKey('RS256', new Date(t + 1000)),
    ];
    for (const key of keys) await ring.add(key);
    const read = await ring.read();
    expect(read.map((k) => k.alg)).toEqual(['HS256', 'RS256', 'ES256']);
    for (const key of read) {
      const original = keys.find((k) => k.kid === key.kid)!;
      expect(key.createdAt).toEqual(original.createdAt);
      expect(key.signWith.equals(original.signWith)).toBe(true);
      expect(key.publicJwk).toEqual(original.publicJwk);
    }
  });

  it('removes keys by kid', async () => {
    const [first] = await ring.read();
    await ring.remove([first!.kid]);
    expect((await ring.read()).map((k) => k.kid)).not.toContain(first!.kid);
    await ring.remove([]);
  });

  it('adds only one first key of an algorithm, however many instances try at once', async () => {
    await ring.remove((await ring.read()).map((key) => key.kid));
    const ofAlg = async (alg: string) => (await ring.read()).filter((key) => key.alg === alg);
    await Promise.all(Array.from({ length: 8 }, () => ring.addFirst(generateKey('HS256'))));
    expect(await ofAlg('HS256')).toHaveLength(1);
    await ring.addFirst(generateKey('ES256'));
    await ring.addFirst(generateKey('HS256'));
    expect(await ofAlg('ES256')).toHaveLength(1);
    expect(await ofAlg('HS256')).toHaveLength(1);
  });
});
