import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { byAge, KeyRingStore } from './key-ring.store.js';
import { fromStoredKey, toStoredKey, type SigningKey, type StoredKey } from './signing-key.js';

export const KEY_RING_FILE_NAME = 'signing-keys.json';

/** The key ring in DATA_DIR/signing-keys.json (owner-only): for DATABASE_URL=memory:. */
export class FileKeyRingStore extends KeyRingStore {
  constructor(private readonly dataDir: string) {
    super();
  }

  get path(): string {
    return join(this.dataDir, KEY_RING_FILE_NAME);
  }

  async read(): Promise<SigningKey[]> {
    if (!existsSync(this.path)) return [];
    const parsed = JSON.parse(await readFile(this.path, 'utf8')) as { keys?: StoredKey[] };
    return (parsed.keys ?? []).map(fromStoredKey).sort(byAge);
  }

  async add(key: SigningKey): Promise<void> {
    await this.write([...(await this.read()), key]);
  }

  /** One process owns this file (the memory store runs as a single instance). */
  async addFirst(key: SigningKey): Promise<void> {
    if (!(await this.read()).some((k) => k.alg === key.alg)) await this.add(key);
  }

  async remove(kids: readonly string[]): Promise<void> {
    if (kids.length === 0) return;
    await this.write((await this.read()).filter((key) => !kids.includes(key.kid)));
  }

  /** Atomically (temp file + rename), owner-only: it holds private keys. */
  private async write(keys: readonly SigningKey[]): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const temp = `${this.path}.${randomBytes(6).toString('hex')}.tmp`;
    const body = JSON.stringify({ keys: keys.map(toStoredKey) }, null, 2);
    await writeFile(temp, `${body}\n`, { mode: 0o600, flag: 'wx' });
    await rename(temp, this.path);
  }
}
