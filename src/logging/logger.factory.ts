import pino, { type DestinationStream, type Logger } from 'pino';
import type { AppConfig } from '../config/app-config.js';

const SECRET_FIELDS = [
  'password',
  'current_password',
  'new_password',
  'refresh_token',
  'access_token',
  'client_secret',
  // A mailed link's token (/password/reset, /email/verify) and a revoked or introspected token.
  'token',
];

/**
 * Everything that can carry a secret, where it would sit in a logged object. Nothing logs bodies
 * or headers on purpose; this is the net under that rule. Exact paths only: pino's redaction is
 * free for them and costs ~8× a whole log line per wildcard (measured).
 */
export const REDACTED_PATHS = [
  ...['authorization', 'cookie'].flatMap((header) => [
    header,
    `headers.${header}`,
    `req.headers.${header}`,
  ]),
  ...SECRET_FIELDS.flatMap((field) => [field, `body.${field}`, `req.body.${field}`]),
];

/**
 * The one pino logger: Fastify's request logs and Nest's own messages both write through it, as
 * JSON lines (pretty only with LOG_PRETTY=1 in development).
 */
export function createRootLogger(config: AppConfig, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'nest-jwt-auth' },
    timestamp: isoTimeCachedPerMillisecond(),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (config.logPretty && !destination) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options, destination ?? standardOutput());
}

/**
 * pino's `isoTime`, formatted once per millisecond: under load many lines share a millisecond, and
 * formatting a Date was the largest single cost of a request's log line (measured with --cpu-prof).
 */
export function isoTimeCachedPerMillisecond(now: () => number = Date.now): () => string {
  let last = -1;
  let field = '';
  return () => {
    const ms = now();
    if (ms !== last) {
      last = ms;
      field = `,"time":"${new Date(ms).toISOString()}"`;
    }
    return field;
  };
}

/** Lines held before a write (~25 request lines): one write per batch under load. */
export const LOG_BATCH_BYTES = 8192;
/** The longest a line waits when the server is quiet. */
export const LOG_FLUSH_MS = 200;

/**
 * Standard output, written asynchronously and in batches: lines are held until LOG_BATCH_BYTES
 * are queued or LOG_FLUSH_MS have passed, then written together, instead of one write (and one
 * hand-off to libuv's threads) per line — the request line's write was ~8% of GET /protected's
 * CPU (bench A/B, docs/performance.md). Pino flushes what is queued when the process exits, on a
 * crash too; only a SIGKILL loses the last LOG_FLUSH_MS of lines.
 */
function standardOutput(): DestinationStream {
  return pino.destination({
    dest: 1,
    sync: false,
    minLength: LOG_BATCH_BYTES,
    periodicFlush: LOG_FLUSH_MS,
  });
}
