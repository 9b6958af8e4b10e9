import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Printable ASCII, no spaces, up to 128 characters: safe to echo and to log. */
const ACCEPTABLE = /^[\x21-\x7e]{1,128}$/;

/**
 * The request's id: a caller's (or proxy's) valid X-Request-Id is kept, so one id follows a
 * request across services; anything else gets a fresh UUID.
 */
export function requestIdFor(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
}
