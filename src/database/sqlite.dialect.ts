import { closeSync, openSync } from 'node:fs';
import SQLite from 'better-sqlite3';
import { SqliteAdapter, SqliteDialect, type DialectAdapter } from 'kysely';

/**
 * SQLite runs DDL inside transactions, but Kysely's adapter says otherwise (for portability);
 * saying so lets the migrator apply all pending migrations in one transaction, so a failed
 * migration leaves the database exactly as it was.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

export function createSqliteDialect(file: string): SqliteDialect {
  // Password hashes live here: owner-only (SQLite gives its -wal and -shm files the same mode).
  closeSync(openSync(file, 'a', 0o600));
  const database = new SQLite(file);
  // WAL: readers never block the writer; NORMAL sync is durable across process crashes in WAL mode.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 5000');
  database.pragma('foreign_keys = ON');
  return new TransactionalDdlSqliteDialect({ database });
}
