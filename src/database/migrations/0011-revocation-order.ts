import type { Kysely } from 'kysely';

/**
 * Revocations get a place in an order the database keeps (see revocation-order.ts), so that other
 * instances read what was revoked since their last read by that order, not by `revoked_at`: a
 * timestamp comes from the writer's clock and may commit long after it was taken. Revocations
 * written before have none, and are read by time at start as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['sessions', 'session_revocations']) {
    await db.schema.alterTable(table).addColumn('revocation_order', 'bigint').execute();
    await db.schema
      .createIndex(`${table}_revocation_order`)
      .on(table)
      .column('revocation_order')
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['session_revocations', 'sessions']) {
    await db.schema.dropIndex(`${table}_revocation_order`).execute();
    await db.schema.alterTable(table).dropColumn('revocation_order').execute();
  }
}
