import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/** Long base64url runs and JWT-shaped segments: anything that may be a token. */
const TOKEN_LIKE = /eyJ[\w-]*\.[\w-]*\.[\w-]*|[A-Za-z0-9_-]{32,}/g;

/**
 * One line per request at `info`, after the response: method, the route pattern (never the raw
 * URL, which may carry tokens in its query), status, duration, client IP and, when known, the user.
 * Fastify's own "incoming request" / "request completed" pair is replaced by it; errors are logged
 * by the exception filter.
 */
export class RequestLogger extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'request_id' });
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const user = (request as FastifyRequest & { user?: { id?: unknown } }).user;
    const route = request.routeOptions.url;
    request.log.info(
      {
        method: request.method,
        route: route ?? null,
        // An unmatched URL is logged as a path only, without its query and with token-like parts masked.
        ...(route ? {} : { path: safePath(request.url) }),
        status: reply.statusCode,
        duration_ms: Math.round(reply.elapsedTime * 100) / 100,
        ip: request.ip,
        ...(typeof user?.id === 'string' ? { user_id: user.id } : {}),
        ...(error ? { aborted: true } : {}),
      },
      'request',
    );
  }

  override routeNotFound(): void {}

  override defaultErrorLog(): void {}
}

export function safePath(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  return path.replace(TOKEN_LIKE, '[redacted]').slice(0, 256);
}
