import type { Migration } from 'kysely';
import * as createUsers from './0001-create-users.js';
import * as createSessions from './0002-create-sessions.js';
import * as createSigningKeys from './0003-create-signing-keys.js';
import * as createAuditEvents from './0004-create-audit-events.js';
import * as createServerSecretsAndKnownAddresses from './0005-create-server-secrets-and-known-addresses.js';
import * as rolesAndAccountAdmin from './0006-roles-and-account-admin.js';
import * as createMailOutbox from './0008-create-mail-outbox.js';
import * as createMfa from './0009-create-mfa.js';
import * as boundedSessionStorage from './0010-bounded-session-storage.js';
import * as revocationOrder from './0011-revocation-order.js';
import * as createAccountDevices from './0012-create-account-devices.js';
import * as createIdentities from './0013-create-identities.js';
import * as sessionSignIn from './0014-session-sign-in.js';
import * as auditSignInProvider from './0015-audit-sign-in-provider.js';
import * as createPasskeys from './0016-create-passkeys.js';

/**
 * Every migration, in order. Names sort alphabetically and are never renamed once released;
 * a new schema change is a new entry at the end.
 *
 * There is no 0007, and never will be: 0005 to 0007 were set aside for two changes under way at
 * the same time as the mail outbox (login lockout, roles), which took 0008; those two needed only
 * 0005 and 0006. Numbers only order the list, so the gap is harmless; filling it now would put a
 * new migration before ones databases have already run, which the migrator refuses.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001-create-users': createUsers,
  '0002-create-sessions': createSessions,
  '0003-create-signing-keys': createSigningKeys,
  '0004-create-audit-events': createAuditEvents,
  '0005-create-server-secrets-and-known-addresses': createServerSecretsAndKnownAddresses,
  '0006-roles-and-account-admin': rolesAndAccountAdmin,
  '0008-create-mail-outbox': createMailOutbox,
  '0009-create-mfa': createMfa,
  '0010-bounded-session-storage': boundedSessionStorage,
  '0011-revocation-order': revocationOrder,
  '0012-create-account-devices': createAccountDevices,
  '0013-create-identities': createIdentities,
  '0014-session-sign-in': sessionSignIn,
  '0015-audit-sign-in-provider': auditSignInProvider,
  '0016-create-passkeys': createPasskeys,
};
