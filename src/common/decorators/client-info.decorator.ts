import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** Who is on the other end of a request, as far as we can tell. */
export interface ClientInfo {
  readonly ip: string | null;
  readonly userAgent: string | null;
}

const MAX_USER_AGENT = 512;

/** The caller's address (the socket's, or X-Forwarded-For's when TRUST_PROXY says so) and agent. */
export const Client = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ClientInfo => {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const agent = request.headers['user-agent'];
    return {
      ip: request.ip || null,
      userAgent: typeof agent === 'string' ? agent.slice(0, MAX_USER_AGENT) : null,
    };
  },
);
