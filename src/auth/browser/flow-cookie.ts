import type { FastifyReply } from 'fastify';
import type { FlowCookie } from '../federated-flow.service.js';

/**
 * Sets a flow's cookie, wherever the flow began (GET /authorize, POST /me/identities/<provider>).
 * Lax, not Strict: the provider's redirect back to the callback is a cross-site navigation.
 */
export function setFlowCookie(reply: FastifyReply, cookie: FlowCookie): void {
  void reply.setCookie(cookie.name, cookie.value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: cookie.secure,
    path: cookie.path,
    maxAge: cookie.maxAgeSeconds,
  });
}
