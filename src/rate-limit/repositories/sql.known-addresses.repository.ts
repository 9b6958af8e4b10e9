import type { Database } from '../../database/database.js';
import { KnownAddressesRepository } from '../known-addresses.repository.js';

export class SqlKnownAddressesRepository extends KnownAddressesRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async isKnown(usernameKey: string, ip: string, since: Date): Promise<boolean> {
    const row = await this.db
      .selectFrom('known_login_addresses')
      .select('ip')
      .where('username_key', '=', usernameKey)
      .where('ip', '=', ip)
      .where('last_login_at', '>=', since.toISOString())
      .executeTakeFirst();
    return row !== undefined;
  }

  async remember(
    login: { usernameKey: string; userId: string; ip: string },
    at: Date,
    forgetBefore: Date,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('known_login_addresses')
        .values({
          username_key: login.usernameKey,
          ip: login.ip,
          user_id: login.userId,
          last_login_at: at.toISOString(),
        })
        .onConflict((conflict) =>
          conflict.columns(['username_key', 'ip']).doUpdateSet({
            user_id: login.userId,
            last_login_at: at.toISOString(),
          }),
        )
        .execute();
      // Pruned per account as it logs in: the table holds at most 30 days of each account's places.
      await trx
        .deleteFrom('known_login_addresses')
        .where('username_key', '=', login.usernameKey)
        .where('last_login_at', '<', forgetBefore.toISOString())
        .execute();
    });
  }
}
