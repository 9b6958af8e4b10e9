import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import type { DatabaseConfig } from '../config/app-config.js';
import { Database } from './database.js';
import { runMigrations } from './migrator.js';
import { createPostgresDialect, type PostgresPoolOptions } from './postgres.dialect.js';
import { createSqliteDialect } from './sqlite.dialect.js';

export type SqlDatabaseConfig = Exclude<DatabaseConfig, { kind: 'memory' }>;

/** The database could not be reached at boot. */
export class DatabaseUnavailableError extends Error {
  constructor(config: SqlDatabaseConfig, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Cannot open the database ${describeDatabase(config)}: ${reason}`, { cause });
    this.name = 'DatabaseUnavailableError';
  }
}

/** Where the database is, for messages: a PostgreSQL URL loses its password. */
export function describeDatabase(config: SqlDatabaseConfig): string {
  if (config.kind === 'sqlite') return `SQLite file ${config.file}`;
  const url = new URL(config.url);
  if (url.password) url.password = '***';
  return `PostgreSQL ${url.toString()}`;
}

/** Opens the configured SQL database (creating the SQLite file's folder) without migrating it. */
export async function openDatabase(
  config: SqlDatabaseConfig,
  options: PostgresPoolOptions = {},
): Promise<Database> {
  try {
    if (config.kind === 'sqlite') {
      await mkdir(dirname(config.file), { recursive: true, mode: 0o700 });
      return new Database({ dialect: createSqliteDialect(config.file) });
    }
    return new Database({ dialect: createPostgresDialect(config.url, options) });
  } catch (error) {
    throw new DatabaseUnavailableError(config, error);
  }
}

/** Opens the database, checks it answers, and brings its schema up to date; boot stops on failure. */
export async function openMigratedDatabase(config: SqlDatabaseConfig): Promise<Database> {
  // Migrations run on a pool of their own without the serving hold limit: DDL on a large table,
  // or waiting while another instance migrates, may rightly take longer.
  const migrating = await openDatabase(config, { holdLimitMs: null });
  try {
    await sql`select 1`.execute(migrating).catch((error: unknown) => {
      throw new DatabaseUnavailableError(config, error);
    });
    await runMigrations(migrating);
  } finally {
    await migrating.destroy();
  }
  return openDatabase(config);
}
