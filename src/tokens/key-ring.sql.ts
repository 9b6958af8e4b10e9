import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { Database } from '../database/database.js';
import type { DatabaseSchema } from '../database/schema.js';
import { toDate } from '../database/schema.js';
import type { JwtAlgorithm } from '../config/tokens-config.js';
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
    await insertKey(this.db, key);
  }

  /**
   * Check and insert in one write transaction that instances take in turn: PostgreSQL's READ
   * COMMITTED alone would let each see an empty ring (so an advisory lock, held until commit), and
   * SQLite's BEGIN IMMEDIATE takes the write lock before the read.
   */
  async addFirst(key: SigningKey): Promise<void> {
    const postgres = this.db.getExecutor().adapter instanceof PostgresAdapter;
    await this.db.connection().execute(async (connection) => {
      await sql.raw(postgres ? 'begin' : 'begin immediate').execute(connection);
      try {
        if (postgres) await sql`select pg_advisory_xact_lock(${KEY_RING_LOCK})`.execute(connection);
        const present = await connection
          .selectFrom('signing_keys')
          .select('kid')
          .where('alg', '=', key.alg)
          .executeTakeFirst();
        if (!present) await insertKey(connection, key);
        await sql`commit`.execute(connection);
      } catch (error) {
        // Report the first failure, not the rollback's: on PostgreSQL a failed rollback means the
        // connection is lost, and the pool drops it on release.
        await sql`rollback`.execute(connection).catch(() => undefined);
        throw error;
      }
    });
  }

  async remove(kids: readonly string[]): Promise<void> {
    if (kids.length === 0) return;
    await this.db.deleteFrom('signing_keys').where('kid', 'in', kids).execute();
  }
}

/** The advisory lock id that serialises first starts on one PostgreSQL database ("KEYR"). */
const KEY_RING_LOCK = 0x4b455952;

async function insertKey(db: Kysely<DatabaseSchema>, key: SigningKey): Promise<void> {
  const stored = toStoredKey(key);
  await db
    .insertInto('signing_keys')
    .values({
      kid: stored.kid,
      alg: stored.alg,
      material: stored.material,
      created_at: stored.created_at,
    })
    .execute();
}
