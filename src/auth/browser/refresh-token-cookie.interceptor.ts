import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, type Observable } from 'rxjs';
import {
  REFRESH_TOKEN_EXPIRES_AT,
  type IssuedTokens,
  type TokenResponseDto,
} from '../dto/token-response.dto.js';
import { BrowserOrigins } from './browser-origins.js';
import { RefreshTokenCookie } from './refresh-token-cookie.js';

/**
 * With REFRESH_TOKEN_COOKIE=on, on an answer carrying tokens to an allowed browser Origin: sets
 * the refresh token cookie, and for an origin of CORS_ORIGINS takes the token out of the body,
 * so that page scripts there never hold it. Our own origin (Swagger UI) keeps it in the body.
 */
@Injectable()
export class RefreshTokenCookieInterceptor implements NestInterceptor {
  constructor(
    private readonly cookie: RefreshTokenCookie,
    private readonly origins: BrowserOrigins,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.cookie.enabled) return next.handle();
    const http = context.switchToHttp();
    const { origin } = http.getRequest<FastifyRequest>().headers;
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      map((answer: unknown) => {
        if (!this.origins.isAllowed(origin) || !isIssuedTokens(answer)) return answer;
        const expiresAt = answer[REFRESH_TOKEN_EXPIRES_AT];
        if (expiresAt) this.cookie.set(reply, answer.refresh_token, expiresAt);
        if (!this.origins.isCrossOrigin(origin)) return answer;
        const body: Partial<TokenResponseDto> = { ...answer };
        delete body.refresh_token;
        return body;
      }),
    );
  }
}

function isIssuedTokens(answer: unknown): answer is IssuedTokens {
  return (
    typeof answer === 'object' &&
    answer !== null &&
    typeof (answer as { refresh_token?: unknown }).refresh_token === 'string'
  );
}
