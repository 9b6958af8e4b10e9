import { PostgresAdapter, sql, type Kysely } from 'kysely';
import { columnTypes } from './column-types.js';

/**
 * Sign-in through OpenID Connect providers (issue 25): accounts without a password, the
 * providers' identities linked to accounts, the login state between our redirect to a provider
 * and its redirect back, and the single-use codes we hand to apps.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const { timestamp } = columnTypes(db);

  // An account created through a provider has no password.
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await db.schema
      .alterTable('users')
      .alterColumn('password_hash', (col) => col.dropNotNull())
      .execute();
  } else {
    // SQLite cannot drop a NOT NULL. Rebuilding `users` would need foreign keys off, which a
    // migration's transaction cannot do, and dropping the table with them on would cascade to
    // every session, role and factor. So the column is swapped in place instead: same table,
    // same rows, same foreign keys pointing at it.
    await db.schema.alterTable('users').addColumn('password_hash_nullable', 'text').execute();
    await sql`update users set password_hash_nullable = password_hash`.execute(db);
    await db.schema.alterTable('users').dropColumn('password_hash').execute();
    await db.schema
      .alterTable('users')
      .renameColumn('password_hash_nullable', 'password_hash')
      .execute();
  }

  // An identity is the provider's (issuer, sub), never an address: one account per identity.
  await db.schema
    .createTable('identities')
    .addColumn('id', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('issuer', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('created_at', timestamp, (col) => col.notNull())
    .addColumn('last_used_at', timestamp)
    .execute();
  await db.schema
    .createIndex('identities_issuer_subject_unique')
    .on('identities')
    .columns(['issuer', 'subject'])
    .unique()
    .execute();
  await db.schema.createIndex('identities_user_id').on('identities').column('user_id').execute();

  // Step 2 of the flow: named by the SHA-256 of the random value in the browser's cookie, so a
  // copy of the table lets no one finish someone's sign-in. Any instance can take it.
  await db.schema
    .createTable('federated_flows')
    .addColumn('id_hash', 'text', (col) => col.primaryKey())
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('state', 'text', (col) => col.notNull())
    .addColumn('nonce', 'text', (col) => col.notNull())
    .addColumn('code_verifier', 'text', (col) => col.notNull())
    .addColumn('app_redirect_uri', 'text', (col) => col.notNull())
    .addColumn('app_state', 'text')
    .addColumn('app_code_challenge', 'text', (col) => col.notNull())
    .addColumn('purpose', 'text', (col) => col.notNull())
    // The account being linked to; null for a sign-in.
    .addColumn('user_id', 'text', (col) => col.references('users.id').onDelete('cascade'))
    .addColumn('expires_at', timestamp, (col) => col.notNull())
    .execute();
  await db.schema
    .createIndex('federated_flows_expires_at')
    .on('federated_flows')
    .column('expires_at')
    .execute();

  // Step 3: our code, by its SHA-256. What the first presentation produced is kept, so that a
  // second one can end it (RFC 6749 §4.1.2); `reused_at` tells a first presentation still minting
  // that a second came meanwhile.
  await db.schema
    .createTable('authorization_codes')
    .addColumn('code_hash', 'text', (col) => col.primaryKey())
    .addColumn('user_id', 'text', (col) => col.notNull().references('users.id').onDelete('cascade'))
    .addColumn('provider', 'text', (col) => col.notNull())
    .addColumn('purpose', 'text', (col) => col.notNull())
    .addColumn('code_challenge', 'text', (col) => col.notNull())
    .addColumn('redirect_uri', 'text', (col) => col.notNull())
    // The identity signed in with (null while linking: it is linked only when the code is redeemed).
    .addColumn('identity_id', 'text')
    .addColumn('issuer', 'text', (col) => col.notNull())
    .addColumn('subject', 'text', (col) => col.notNull())
    .addColumn('email', 'text', (col) => col.notNull())
    .addColumn('email_verified', 'integer', (col) => col.notNull())
    // RFC 8176 methods as JSON, e.g. ["fed"].
    .addColumn('amr', 'text', (col) => col.notNull())
    .addColumn('auth_time', timestamp, (col) => col.notNull())
    .addColumn('expires_at', timestamp, (col) => col.notNull())
    .addColumn('used_at', timestamp)
    .addColumn('reused_at', timestamp)
    .addColumn('result_kind', 'text')
    .addColumn('result_id', 'text')
    .execute();
  await db.schema
    .createIndex('authorization_codes_expires_at')
    .on('authorization_codes')
    .column('expires_at')
    .execute();
}

/**
 * Accounts without a password get a bcrypt-shaped hash no password matches (bcrypt compares it and
 * answers false): they can reset one by mail, as after an undone address change.
 */
export const NO_PASSWORD_PLACEHOLDER = `$2b$04$${'.'.repeat(53)}`;

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('authorization_codes').execute();
  await db.schema.dropTable('federated_flows').execute();
  await db.schema.dropTable('identities').execute();
  await sql`update users set password_hash = ${NO_PASSWORD_PLACEHOLDER} where password_hash is null`.execute(
    db,
  );
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await db.schema
      .alterTable('users')
      .alterColumn('password_hash', (col) => col.setNotNull())
      .execute();
    return;
  }
  await db.schema
    .alterTable('users')
    .addColumn('password_hash_required', 'text', (col) => col.notNull().defaultTo(''))
    .execute();
  await sql`update users set password_hash_required = password_hash`.execute(db);
  await db.schema.alterTable('users').dropColumn('password_hash').execute();
  await db.schema
    .alterTable('users')
    .renameColumn('password_hash_required', 'password_hash')
    .execute();
}
