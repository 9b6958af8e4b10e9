import { PostgresDialect } from 'kysely';
import pg from 'pg';

export function createPostgresDialect(url: string): PostgresDialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client's error (the server restarted) must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // A checked-out client has no listener of the pool's, so a socket error (ECONNRESET, the server
  // gone) would be an unhandled 'error' event and kill the process. pg also rejects the query in
  // flight with that error, whose caller reports it; a client with none in flight rejects the next,
  // and the pool drops it once released. Attached at creation, it covers every checkout to come.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new PostgresDialect({ pool });
}
