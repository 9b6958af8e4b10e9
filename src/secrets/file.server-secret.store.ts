import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ServerSecretStore } from './server-secret.store.js';

/**
 * Secrets as DATA_DIR/<name>.key files, owner-only: for DATABASE_URL=memory:, whose generated
 * signing keys live in DATA_DIR too.
 */
export class FileServerSecretStore extends ServerSecretStore {
  constructor(private readonly dataDir: string) {
    super();
  }

  pathOf(name: string): string {
    return join(this.dataDir, `${name}.key`);
  }

  /**
   * Written whole to a temporary file, then hard-linked into place: link() fails if the name
   * exists, so a concurrent writer loses cleanly and nobody ever reads a half-written file.
   */
  async getOrCreate(name: string, candidate: string): Promise<string> {
    const path = this.pathOf(name);
    const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (existing !== undefined) return existing.trim();
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, `${candidate}\n`, { mode: 0o600, flag: 'wx' });
    try {
      await link(temp, path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(temp);
    }
    return (await readFile(path, 'utf8')).trim();
  }
}
