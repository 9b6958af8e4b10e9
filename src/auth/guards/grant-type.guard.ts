import { CanActivate, ExecutionContext, Injectable, mixin, Type } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../../common/problems/problem.exception.js';

/**
 * RFC 6749 §5.2: a token endpoint answers another grant with `unsupported_grant_type` (400),
 * before any validation or credential check. A missing grant_type is fine (JSON clients).
 */
export function GrantTypeGuard(grantType: 'password' | 'refresh_token'): Type<CanActivate> {
  @Injectable()
  class GrantTypeGuardMixin implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      const body = context.switchToHttp().getRequest<FastifyRequest>().body;
      if (typeof body !== 'object' || body === null || !('grant_type' in body)) return true;
      const given = body.grant_type;
      if (given === undefined || given === grantType) return true;
      throw new ProblemException(
        'unsupportedGrantType',
        `Only grant_type=${grantType} is accepted here.`,
        { extensions: { error: 'unsupported_grant_type' } },
      );
    }
  }
  return mixin(GrantTypeGuardMixin);
}
