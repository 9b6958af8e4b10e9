import type { Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * How a session's login was made (issue 25): when the interactive sign-in happened (`auth_time`,
 * copied unchanged into every refreshed access token) and through which identity provider (`idp`),
 * and which first factor an MFA challenge follows (a password, or a provider's sign-in). Null for
 * rows from before: their tokens carry neither claim, and their challenges followed a password.
 * Audit events get the sign-in method of a login or signup as a field of its own.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { timestamp } = columnTypes(db);
  await db.schema.alterTable('sessions').addColumn('auth_time', timestamp).execute();
  await db.schema.alterTable('sessions').addColumn('idp', 'text').execute();
  await db.schema.alterTable('mfa_challenges').addColumn('first_factor', 'text').execute();
  await db.schema.alterTable('mfa_challenges').addColumn('idp', 'text').execute();
  await db.schema.alterTable('audit_events').addColumn('method', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_events').dropColumn('method').execute();
  await db.schema.alterTable('mfa_challenges').dropColumn('idp').execute();
  await db.schema.alterTable('mfa_challenges').dropColumn('first_factor').execute();
  await db.schema.alterTable('sessions').dropColumn('idp').execute();
  await db.schema.alterTable('sessions').dropColumn('auth_time').execute();
}
