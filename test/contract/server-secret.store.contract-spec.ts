import { stat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FileServerSecretStore } from '../../src/secrets/file.server-secret.store.js';
import type { ServerSecretStore } from '../../src/secrets/server-secret.store.js';
import { SqlServerSecretStore } from '../../src/secrets/sql.server-secret.store.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';

describe.each(STORES)('ServerSecretStore contract: %s', (name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let secrets: ServerSecretStore;
  let dir: string;

  beforeAll(async () => {
    store = await open();
    dir = await mkdtemp(join(tmpdir(), 'secrets-'));
    // With the memory store, generated secrets are kept in DATA_DIR.
    secrets = store.db ? new SqlServerSecretStore(store.db) : new FileServerSecretStore(dir);
  });
  afterAll(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it(`keeps the first value stored under a name and answers it from then on (${name})`, async () => {
    expect(await secrets.getOrCreate('alpha', 'first-value')).toBe('first-value');
    expect(await secrets.getOrCreate('alpha', 'second-value')).toBe('first-value');
    expect(await secrets.getOrCreate('beta', 'other-value')).toBe('other-value');
    expect(await secrets.getOrCreate('alpha', 'third-value')).toBe('first-value');
  });

  it('agrees on one value when many instances start together on an empty store', async () => {
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, i) => secrets.getOrCreate('gamma', `candidate-${i}`)),
    );
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]).toMatch(/^candidate-\d$/);
  });

  if (!name.startsWith('in memory')) return;
  it('keeps each secret in an owner-only file in DATA_DIR', async () => {
    const file = (secrets as FileServerSecretStore).pathOf('alpha');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
  });
});
