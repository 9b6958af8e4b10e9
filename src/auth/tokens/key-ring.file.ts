import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JwtAlgorithm } from '../../config/app-config.js';
import {
  fromStoredKey,
  generateKey,
  toStoredKey,
  type SigningKey,
  type StoredKey,
} from './signing-key.js';

export const KEY_RING_FILE_NAME = 'signing-keys.json';

/** How many keys a ring keeps at most; older ones go once their successor is old enough. */
const MAX_KEYS = 3;

export function keyRingPath(dataDir: string): string {
  return join(dataDir, KEY_RING_FILE_NAME);
}

/** The keys kept in DATA_DIR, oldest first; empty when there is no file yet. */
export function readKeyRing(dataDir: string): SigningKey[] {
  const path = keyRingPath(dataDir);
  if (!existsSync(path)) return [];
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { keys?: StoredKey[] };
  return (parsed.keys ?? []).map(fromStoredKey);
}

/** Writes the ring atomically (temp file + rename), owner-only: it holds private keys. */
export async function writeKeyRing(dataDir: string, keys: readonly SigningKey[]): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const path = keyRingPath(dataDir);
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const body = JSON.stringify({ keys: keys.map(toStoredKey) }, null, 2);
  await writeFile(temp, `${body}\n`, { mode: 0o600, flag: 'wx' });
  await rename(temp, path);
}

/**
 * Adds a new key for `alg` (it signs from now on) and drops keys beyond the newest three whose
 * successor is older than `retireAfterSeconds`, so tokens they signed have all expired.
 */
export async function rotateKeyRing(
  dataDir: string,
  alg: JwtAlgorithm,
  retireAfterSeconds: number,
  now = new Date(),
): Promise<{ added: SigningKey; removed: SigningKey[] }> {
  const keys = [...readKeyRing(dataDir), generateKey(alg, now)];
  const removed: SigningKey[] = [];
  while (keys.length > MAX_KEYS) {
    const successor = keys[1];
    if (!successor || now.getTime() - successor.createdAt.getTime() < retireAfterSeconds * 1000) {
      break;
    }
    removed.push(...keys.splice(0, 1));
  }
  await writeKeyRing(dataDir, keys);
  return { added: keys[keys.length - 1]!, removed };
}
