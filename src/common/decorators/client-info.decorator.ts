import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/**
 * The cookie that marks a browser as known to an account it logged in to (set on /login by the
 * rate-limit module, read here with the rest of what identifies the client).
 */
export const DEVICE_COOKIE = 'device';

/** Who is on the other end of a request, as far as we can tell, and which request it is. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  /** The device cookie presented, unverified; never stored or logged. */
  readonly deviceCookie?: string | null;
}

const MAX_USER_AGENT = 512;

/** The caller's address (the socket's, or X-Forwarded-For's when TRUST_PROXY says so) and agent. */
export function clientInfo(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip || null,
    userAgent: typeof agent === 'string' ? agent.slice(0, MAX_USER_AGENT) : null,
    requestId: request.id || null,
    // request.cookies exists once @fastify/cookie is registered (configureApp).
    deviceCookie:
      (request.cookies as FastifyRequest['cookies'] | undefined)?.[DEVICE_COOKIE] ?? null,
  };
}

export const Client = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientInfo =>
    clientInfo(context.switchToHttp().getRequest<FastifyRequest>()),
);
