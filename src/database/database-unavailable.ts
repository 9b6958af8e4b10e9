/**
 * Node's socket errors that mean the database cannot be reached: refused, cut, timed out, or its
 * host not found.
 */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * PostgreSQL's SQLSTATEs for a server that is going or gone: class 08 (connection exception),
 * 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect now (starting up, recovering),
 * 53300 too many connections.
 */
const POSTGRES_UNAVAILABLE = /^(08...|57P0[123]|53300)$/;

/** pg's own errors for a connection that died or never came (they carry no code). */
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /is not queryable/,
  /^Client was closed/,
];

/**
 * True when `error` says the database did not answer (a PostgreSQL outage), not that a query was
 * wrong: such a request is worth retrying later (503), where anything else is a bug (500). SQLite
 * errors (`SQLITE_BUSY` included: a lock waited out too long, not an outage) are never this.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  let cause: unknown = error;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++) {
    const { message } = cause;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (UNREACHABLE.has(code) || POSTGRES_UNAVAILABLE.test(code)) return true;
    } else if (PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(message))) {
      return true;
    }
    cause = cause.cause;
  }
  return false;
}
