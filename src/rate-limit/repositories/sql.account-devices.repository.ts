import { sql } from 'kysely';
import type { Database } from '../../database/database.js';
import { AccountDevicesRepository, type AccountDevices } from '../account-devices.repository.js';

export class SqlAccountDevicesRepository extends AccountDevicesRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async find(userId: string): Promise<AccountDevices> {
    const row = await this.db
      .selectFrom('account_devices')
      .select(['generation', 'minted'])
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return row ? toDevices(row) : { generation: 0, minted: 0 };
  }

  async mint(userId: string): Promise<AccountDevices> {
    const row = await this.upsert(userId, { generation: 0, minted: 1 }, 'minted')
      .returning(['generation', 'minted'])
      .executeTakeFirst();
    // No row: the account was deleted meanwhile, and its cookie will never be checked.
    return row ? toDevices(row) : { generation: 0, minted: 1 };
  }

  async advance(userId: string): Promise<void> {
    await this.upsert(userId, { generation: 1, minted: 0 }, 'generation').execute();
  }

  /**
   * One statement that counts `column` up, creating the row (with `first`) if needed; selected
   * from `users`, so that an account deleted meanwhile gets no row rather than a foreign-key error.
   */
  private upsert(userId: string, first: AccountDevices, column: 'generation' | 'minted') {
    return this.db
      .insertInto('account_devices')
      .columns(['user_id', 'generation', 'minted'])
      .expression(
        this.db
          .selectFrom('users')
          .select([
            'id',
            sql<number>`${sql.lit(first.generation)}`.as('generation'),
            sql<number>`${sql.lit(first.minted)}`.as('minted'),
          ])
          .where('id', '=', userId),
      )
      .onConflict((conflict) =>
        conflict
          .column('user_id')
          .doUpdateSet({ [column]: sql<number>`account_devices.${sql.ref(column)} + 1` }),
      );
  }
}

function toDevices(row: { generation: number | string; minted: number | string }): AccountDevices {
  return { generation: Number(row.generation), minted: Number(row.minted) };
}
