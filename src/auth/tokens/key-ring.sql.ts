import { Database } from '../../database/database.js';
import { toDate } from '../../database/schema.js';
import type { JwtAlgorithm } from '../../config/app-config.js';
import { byAge, KeyRingStore } from './key-ring.store.js';
import { fromStoredKey, toStoredKey, type SigningKey } from './signing-key.js';

/**
 * The key ring in the database, shared by every instance on it. The database already holds the
 * password hashes and sessions and is guarded accordingly; operators who keep keys elsewhere set
 * JWT_SECRET or JWT_PRIVATE_KEY instead.
 */
export class SqlKeyRingStore extends KeyRingStore {
  constructor(private readonly db: Database) {
    super();
  }

  async read(): Promise<SigningKey[]> {
    const rows = await this.db.selectFrom('signing_keys').selectAll().execute();
    return rows
      .map((row) =>
        fromStoredKey({
          kid: row.kid,
          alg: row.alg as JwtAlgorithm,
          material: row.material,
          created_at: toDate(row.created_at).toISOString(),
        }),
      )
      .sort(byAge);
  }

  async add(key: SigningKey): Promise<void> {
    const stored = toStoredKey(key);
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: stored.kid,
        alg: stored.alg,
        material: stored.material,
        created_at: stored.created_at,
      })
      .execute();
  }

  async remove(kids: readonly string[]): Promise<void> {
    if (kids.length === 0) return;
    await this.db.deleteFrom('signing_keys').where('kid', 'in', kids).execute();
  }
}
