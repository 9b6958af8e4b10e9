import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sql } from 'kysely';
import type { DatabaseConfig } from '../config/app-config.js';
import { Database } from './database.js';
import { runMigrations } from './migrator.js';
import { createPostgresDialect } from './postgres.dialect.js';
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
export async function openDatabase(config: SqlDatabaseConfig): Promise<Database> {
  try {
    if (config.kind === 'sqlite') {
      await mkdir(dirname(config.file), { recursive: true, mode: 0o700 });
      return new Database({ dialect: createSqliteDialect(config.file) });
    }
    return new Database({ dialect: createPostgresDialect(config.url) });
  } catch (error) {
    throw new DatabaseUnavailableError(config, error);
  }
}

/** Opens the database, checks it answers, and brings its schema up to date; boot stops on failure. */
export async function openMigratedDatabase(config: SqlDatabaseConfig): Promise<Database> {
  const db = await openDatabase(config);
  try {
    await sql`select 1`.execute(db).catch((error: unknown) => {
      throw new DatabaseUnavailableError(config, error);
    });
    await runMigrations(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return db;
}
