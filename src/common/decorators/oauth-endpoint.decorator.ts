import { applyDecorators, Header } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by @OAuthEndpoint(). */
    oauthEndpoint?: boolean;
  }
}

/**
 * Marks an OAuth2 endpoint (token, revocation, introspection). Its answers are never cached
 * (RFC 6749 §5.1, RFC 7662 §2.2), and its errors are served as `application/json` with an OAuth2
 * `error` code (RFC 6749 §5.2): standard clients read `error` only from that media type.
 */
export function OAuthEndpoint(): MethodDecorator {
  return applyDecorators(
    RouteConfig({ oauthEndpoint: true }),
    Header('Cache-Control', 'no-store'),
    Header('Pragma', 'no-cache'),
  );
}

/** Whether the request was routed to an `@OAuthEndpoint()`. */
export function isOAuthEndpoint(request: FastifyRequest): boolean {
  // routeOptions.config is empty for a request that matched no route.
  return (
    (request.routeOptions.config as { oauthEndpoint?: boolean } | undefined)?.oauthEndpoint === true
  );
}

/** Whether the body came as an HTML form, as OAuth2 clients send it. */
export function isFormRequest(request: FastifyRequest): boolean {
  return (request.headers['content-type'] ?? '')
    .toLowerCase()
    .startsWith('application/x-www-form-urlencoded');
}
