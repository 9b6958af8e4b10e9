import type { Database } from '../database/database.js';
import { ServerSecretStore } from './server-secret.store.js';

/**
 * Secrets in the `server_secrets` table, beside the data they protect (like the signing keys).
 * Insert-if-absent on the primary key, then read: whichever instance inserted first, all read it.
 */
export class SqlServerSecretStore extends ServerSecretStore {
  constructor(private readonly db: Database) {
    super();
  }

  async getOrCreate(name: string, candidate: string): Promise<string> {
    await this.db
      .insertInto('server_secrets')
      .values({ name, material: candidate, created_at: new Date().toISOString() })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
    const row = await this.db
      .selectFrom('server_secrets')
      .select('material')
      .where('name', '=', name)
      .executeTakeFirstOrThrow();
    return row.material;
  }
}
