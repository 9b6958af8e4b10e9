import type { Kysely } from 'kysely';

/**
 * Which identity provider an identity event concerns (issue 25: `identity_linked` with its
 * provider): our id of it (OIDC_PROVIDERS), null on other events and older rows. Numbered 0016:
 * 0015 is set aside for passkeys (issue 26), under way at the same time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('provider', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').dropColumn('provider').execute();
}
