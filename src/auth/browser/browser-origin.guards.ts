import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../../common/problems/problem.exception.js';
import { BrowserOrigins } from './browser-origins.js';
import { RefreshTokenCookie } from './refresh-token-cookie.js';

/**
 * With REFRESH_TOKEN_COOKIE=on, the token endpoints refuse a browser whose Origin is neither ours
 * nor in CORS_ORIGINS, before any credential is checked: another site must not log its visitor
 * into an attacker's session (login CSRF) nor refresh theirs. Clients that send no Origin (curl,
 * mobile apps, servers) are not browsers and are let through; they never get the cookie.
 */
@Injectable()
export class BrowserOriginGuard implements CanActivate {
  constructor(
    private readonly cookie: RefreshTokenCookie,
    private readonly origins: BrowserOrigins,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.cookie.enabled) return true;
    const { origin } = context.switchToHttp().getRequest<FastifyRequest>().headers;
    if (origin !== undefined && !this.origins.isAllowed(origin)) throw originNotAllowed();
    return true;
  }
}

/**
 * POST /refresh with no refresh token in its body takes the cookie's. A browser sends a cookie
 * whoever made it send the request, so a cookie-authenticated refresh must prove where it comes
 * from: an allowed Origin, and no Origin at all is refused too.
 */
@Injectable()
export class RefreshCookieGuard implements CanActivate {
  constructor(
    private readonly cookie: RefreshTokenCookie,
    private readonly origins: BrowserOrigins,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (!this.cookie.enabled) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const body: unknown = request.body;
    const fromCookie = this.cookie.read(request);
    if (fromCookie === undefined || hasRefreshToken(body)) return true;
    if (!this.origins.isAllowed(request.headers.origin)) throw originNotAllowed();
    // Guards run before pipes: the body is then validated as if the client had sent the token.
    request.body = {
      ...(typeof body === 'object' && body !== null ? body : {}),
      refresh_token: fromCookie,
    };
    return true;
  }
}

function hasRefreshToken(body: unknown): boolean {
  return (
    typeof body === 'object' &&
    body !== null &&
    (body as { refresh_token?: unknown }).refresh_token !== undefined
  );
}

export function originNotAllowed(): ProblemException {
  return new ProblemException(
    'originNotAllowed',
    'Requests from this origin are not allowed: it is not in CORS_ORIGINS.',
    { extensions: { error: 'invalid_request' } },
  );
}
