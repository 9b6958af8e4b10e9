import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who is on the other end of a request, as far as we can tell, and which request it is. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
}

const MAX_USER_AGENT = 512;

/** The caller's address (the socket's, or X-Forwarded-For's when TRUST_PROXY says so) and agent. */
export function clientInfo(request: FastifyRequest): ClientInfo {
  const agent = request.headers['user-agent'];
  return {
    ip: request.ip || null,
    userAgent: typeof agent === 'string' ? agent.slice(0, MAX_USER_AGENT) : null,
    requestId: request.id || null,
  };
}

export const Client = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientInfo =>
    clientInfo(context.switchToHttp().getRequest<FastifyRequest>()),
);
