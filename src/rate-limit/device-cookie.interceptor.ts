import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { tap, type Observable } from 'rxjs';
import { DEVICE_COOKIE } from '../common/decorators/client-info.decorator.js';
import { usernameKey } from '../users/identity.normalization.js';
import { DeviceCookies } from './device-cookies.js';

/**
 * On POST /login: once the handler has started a session (its answer carries tokens), sets the
 * device cookie for the account that logged in. A login that stops short of a session (a failure,
 * or a second factor still due) sets none.
 */
@Injectable()
export class DeviceCookieInterceptor implements NestInterceptor {
  constructor(private readonly deviceCookies: DeviceCookies) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { user?: { username?: unknown } }>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      tap((answer) => {
        const username = request.user?.username;
        if (typeof username !== 'string' || !startedSession(answer)) return;
        const account = usernameKey(username);
        const value = this.deviceCookies.issue(account, request.cookies[DEVICE_COOKIE]);
        void reply.setCookie(DEVICE_COOKIE, value, this.deviceCookies.attributes);
      }),
    );
  }
}

function startedSession(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && 'refresh_token' in answer;
}
