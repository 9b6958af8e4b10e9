import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { mergeMap, type Observable } from 'rxjs';
import { DEVICE_COOKIE } from '../common/decorators/client-info.decorator.js';
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
    const request = http.getRequest<FastifyRequest & { user?: { id?: unknown } }>();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      mergeMap(async (answer: unknown) => {
        const userId = request.user?.id;
        if (typeof userId !== 'string' || !startedSession(answer)) return answer;
        const value = await this.deviceCookies.issue(userId, request.cookies[DEVICE_COOKIE]);
        void reply.setCookie(DEVICE_COOKIE, value, this.deviceCookies.attributes);
        return answer;
      }),
    );
  }
}

function startedSession(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && 'refresh_token' in answer;
}
