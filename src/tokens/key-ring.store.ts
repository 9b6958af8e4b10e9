import type { JwtAlgorithm } from '../config/tokens-config.js';
import { generateKey, type SigningKey } from './signing-key.js';

/** Where generated signing keys are kept: the database, or DATA_DIR with the memory store. */
export abstract class KeyRingStore {
  /** Every key, oldest first. */
  abstract read(): Promise<SigningKey[]>;
  abstract add(key: SigningKey): Promise<void>;
  /**
   * Adds `key` unless the ring already holds a key of its algorithm: the first start. Atomic, so
   * instances starting together on an empty ring add one key between them and all sign with it.
   */
  abstract addFirst(key: SigningKey): Promise<void>;
  abstract remove(kids: readonly string[]): Promise<void>;
}

/** How many keys a ring keeps at most; older ones go once their successor is old enough. */
const MAX_KEYS = 3;

/**
 * Adds a new key for `alg` (it signs from the next start on) and drops keys beyond the newest
 * three whose successor is older than `retireAfterSeconds`, so every token they signed has expired.
 */
export async function rotateKeys(
  store: KeyRingStore,
  alg: JwtAlgorithm,
  retireAfterSeconds: number,
  now = new Date(),
): Promise<{ added: SigningKey; removed: SigningKey[] }> {
  const added = generateKey(alg, now);
  await store.add(added);
  const keys = await store.read();
  const removed: SigningKey[] = [];
  while (keys.length > MAX_KEYS) {
    const successor = keys[1];
    if (!successor || now.getTime() - successor.createdAt.getTime() < retireAfterSeconds * 1000) {
      break;
    }
    removed.push(...keys.splice(0, 1));
  }
  await store.remove(removed.map((key) => key.kid));
  return { added, removed };
}

/** Orders keys oldest first (ties by kid), the order every instance agrees on. */
export function byAge(a: SigningKey, b: SigningKey): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || a.kid.localeCompare(b.kid);
}
