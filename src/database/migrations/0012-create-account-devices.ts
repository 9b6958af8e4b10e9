import type { Kysely } from 'kysely';

/**
 * Per account, what its device cookies are checked against: the generation that ending every
 * session advances (a cookie minted before no longer counts), and how many device cookies were
 * minted (only the last DEVICES_PER_ACCOUNT count). A row appears at the first mint or advance.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('account_devices')
    .addColumn('user_id', 'text', (col) =>
      col.primaryKey().references('users.id').onDelete('cascade'),
    )
    .addColumn('generation', 'integer', (col) => col.notNull().defaultTo(0))
    .addColumn('minted', 'integer', (col) => col.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('account_devices').execute();
}
