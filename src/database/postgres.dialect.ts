import { Logger } from '@nestjs/common';
import { PostgresDialect } from 'kysely';
import pg from 'pg';

/**
 * How long serving code may hold a pooled connection (a query, or a whole transaction) before it
 * is cut. Every statement here takes milliseconds; readiness gives up after 2 s. A connection held
 * this long is almost surely talking to a database that went silent (host gone, packets dropped):
 * no error ever arrives then, and the kernel takes many minutes to give up on the socket.
 */
export const SERVING_HOLD_LIMIT_MS = 15_000;

export interface PostgresPoolOptions {
  /** See SERVING_HOLD_LIMIT_MS; `null` for migrations, whose DDL may rightly run for minutes. */
  readonly holdLimitMs?: number | null;
}

export function createPostgresDialect(
  url: string,
  { holdLimitMs = SERVING_HOLD_LIMIT_MS }: PostgresPoolOptions = {},
): PostgresDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    // So an idle connection to a vanished host ends instead of lingering. Node 20 sets only the
    // delay before the first probe; the kernel's probe interval and count decide the rest.
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
  });
  // An idle client's error (the server restarted) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // A checked-out client has no listener of the pool's, so a socket error (ECONNRESET, the server
  // gone) would be an unhandled 'error' event and kill the process. pg also rejects the query in
  // flight with that error, whose caller reports it; a client with none in flight rejects the next,
  // and the pool drops it once released. Attached at creation, it covers every checkout to come.
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (holdLimitMs !== null) cutLongHolds(pool, holdLimitMs);
  return new PostgresDialect({ pool });
}

/**
 * Ends a connection held longer than `limitMs`. Not pg's query_timeout: that fails the query but
 * hands the client back to the pool still waiting for the answer, so every later query on it waits
 * behind the dead one. Ending it (pg destroys the socket when a query is in flight) fails what
 * runs on it and makes the pool drop it.
 */
function cutLongHolds(pool: pg.Pool, limitMs: number): void {
  const logger = new Logger('Database');
  const timers = new WeakMap<pg.PoolClient, NodeJS.Timeout>();
  pool.on('acquire', (client) => {
    const timer = setTimeout(() => {
      logger.warn(`A PostgreSQL connection was held for ${limitMs} ms: closing it`);
      client.end().catch(() => undefined);
    }, limitMs);
    // Only guards work in flight: never the reason the process stays up.
    timer.unref();
    timers.set(client, timer);
  });
  pool.on('release', (_error, client) => clearTimeout(timers.get(client)));
}
