import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AuditService } from '../audit/audit.service.js';
import { clientInfo } from '../common/decorators/client-info.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { usernameKey } from '../users/identity.normalization.js';
import { LOGIN_ROUTE_KEY } from './login-route.decorator.js';
import { RateLimiters } from './rate-limiters.js';
import { tooManyRequests } from './too-many-requests.js';

/**
 * RATE_LIMIT_PER_IP requests per minute per client address, counted per route it guards (/login,
 * /signup, /refresh); 0 turns it off. The address is request.ip: the socket's, unless TRUST_PROXY
 * names the proxies in front of us, so a forged X-Forwarded-For does not dodge it.
 *
 * (@nestjs/throttler would do, but it is CommonJS requiring the ESM-only @nestjs/common 12, which
 * Jest's ESM mode cannot load; rate-limiter-flexible already gives us Redis with a fallback.)
 */
@Injectable()
export class IpRateLimitGuard implements CanActivate {
  private readonly limiter: RateLimiterAbstract | undefined;

  constructor(
    limiters: RateLimiters,
    config: AppConfig,
    private readonly metrics: MetricsService,
    private readonly audit: AuditService,
    private readonly reflector: Reflector,
  ) {
    const perMinute = config.abuse.rateLimitPerIp;
    this.limiter =
      perMinute > 0
        ? limiters.create({ name: 'ip', points: perMinute, durationSeconds: 60 })
        : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (!this.limiter) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const route = `${context.getClass().name}.${context.getHandler().name}`;
    try {
      await this.limiter.consume(`${route}:${request.ip}`);
      return true;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      this.metrics.limited('address');
      if (this.reflector.get<boolean | undefined>(LOGIN_ROUTE_KEY, context.getHandler())) {
        const body = request.body as { username?: unknown } | undefined;
        const tried = typeof body?.username === 'string' ? usernameKey(body.username) : null;
        await this.audit.record('login_limited', clientInfo(request), {
          username: tried,
          reason: 'address',
        });
      }
      const seconds = Math.ceil(rejection.msBeforeNext / 1000);
      throw tooManyRequests(
        seconds,
        `Too many requests from your address; try again in ${seconds} s.`,
      );
    }
  }
}
