import { closeSync, openSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import SQLite from 'better-sqlite3';
import {
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DialectAdapter,
  type Driver,
  type SqliteDatabase,
  type SqliteDialectConfig,
} from 'kysely';

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
  constructor(
    private readonly sqlite: SqliteDialectConfig,
    /** Runs, and is awaited, before the connection closes (Kysely's `destroy()`). */
    private readonly beforeClose: () => Promise<void>,
  ) {
    super(sqlite);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  override createDriver(): Driver {
    const beforeClose = this.beforeClose;
    return new (class extends SqliteDriver {
      override async destroy(): Promise<void> {
        await beforeClose();
        await super.destroy();
      }
    })(this.sqlite);
  }
}

/** How many distinct statements stay prepared: every query the service has, several times over. */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * The better-sqlite3 database as Kysely's driver sees it, with prepared statements reused: the
 * driver calls `prepare(sql)` for every query it runs, and preparing (parsing and planning the
 * SQL) was a tenth of a refresh's CPU in a profile. Kysely's SQL text for a query is the same
 * every time, with values as parameters, so a cache keyed by the text hits. A statement is only
 * reused when it is not in the middle of an iteration (the driver's streaming path); SQLite
 * re-prepares a cached statement by itself when the schema changes. Least recently used first out.
 */
export function withStatementCache(
  database: SQLite.Database,
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached && !cached.busy) {
        // Map keeps insertion order: re-inserting marks it most recently used.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      if (!cached) {
        statements.set(sql, statement);
        if (statements.size > size) statements.delete(statements.keys().next().value!);
      }
      return statement;
    },
  };
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
  // After a checkpoint the log restarts from its beginning; past this size it is also truncated.
  database.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
  const stopCheckpoints = checkpointInTheBackground(database, file);
  return new TransactionalDdlSqliteDialect(
    { database: withStatementCache(database) },
    stopCheckpoints,
  );
}

/** How often the checkpoint thread copies the write-ahead log back into the database. */
export const CHECKPOINT_INTERVAL_MS = 1_000;
/** How long closing waits for the checkpoint thread before stopping it outright. */
const STOP_TIMEOUT_MS = 2_000;
/** SQLite's own default: a checkpoint after a commit once the log holds this many pages. */
const AUTOMATIC_CHECKPOINT_PAGES = 1_000;

/**
 * Moves WAL checkpoints off the request path: a worker thread with its own connection runs a
 * passive checkpoint every second, and this connection's automatic ones are turned off. Should
 * the thread fail, automatic checkpoints come back, so the log never grows without bound.
 * Answers the function that stops the thread, resolved once it has closed its connection (the
 * database awaits it before closing its own: a data directory removed right after is then empty).
 */
function checkpointInTheBackground(database: SQLite.Database, file: string): () => Promise<void> {
  const logger = new Logger('Database');
  let stopped = false;
  const worker = new Worker(new URL('./sqlite-checkpoint.worker.mjs', import.meta.url), {
    workerData: { file, intervalMs: CHECKPOINT_INTERVAL_MS },
  });
  // Never what keeps the process alive; the database's close stops it.
  worker.unref();
  database.pragma('wal_autocheckpoint = 0');
  const fallBack = (reason: string) => {
    if (stopped) return;
    stopped = true;
    database.pragma(`wal_autocheckpoint = ${AUTOMATIC_CHECKPOINT_PAGES}`);
    logger.warn(`Background checkpoints stopped (${reason}); SQLite checkpoints by itself again`);
  };
  worker.on('error', (error) => fallBack(error.message));
  worker.on('exit', (code) => fallBack(`the thread exited with code ${code}`));
  worker.on('message', (message: { error?: string }) => {
    if (message.error) logger.warn(`A background checkpoint failed: ${message.error}`);
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  return () => {
    if (stopped) return exited;
    stopped = true;
    // Referenced again while it closes: a process with nothing else to do (a CLI, a boot between
    // the migrations and listening) would otherwise exit before the thread has, its work undone.
    worker.ref();
    worker.postMessage('stop');
    // A thread stuck in a checkpoint must not hold up shutdown for long.
    const deadline = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    deadline.unref();
    return exited.finally(() => clearTimeout(deadline));
  };
}
