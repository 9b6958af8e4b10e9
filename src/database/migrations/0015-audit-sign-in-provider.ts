import type { Kysely } from 'kysely';

/**
 * Which identity provider a login or signup went through (issue 25), beside its `method` (0014),
 * so `/me/activity` and `/admin/audit` can say `oidc:<provider id>` as `GET /me` names the ways to
 * sign in. Null for every other event, for password logins, and for events from before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').addColumn('idp', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').dropColumn('idp').execute();
}
