import { CanActivate, ExecutionContext, Injectable, mixin, Type } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../../common/problems/problem.exception.js';
import { isFormRequest } from '../../common/decorators/oauth-endpoint.decorator.js';

/**
 * RFC 6749 §5.2: a token endpoint answers another grant with `unsupported_grant_type` (400),
 * before any validation or credential check. A missing grant_type is fine (JSON clients). A form
 * parameter sent twice is `invalid_request` (§3.2: parameters must not be included more than once).
 */
export function GrantTypeGuard(
  ...grantTypes: readonly ('password' | 'refresh_token' | 'authorization_code')[]
): Type<CanActivate> {
  @Injectable()
  class GrantTypeGuardMixin implements CanActivate {
    canActivate(context: ExecutionContext): boolean {
      const request = context.switchToHttp().getRequest<FastifyRequest>();
      const body = request.body;
      if (typeof body !== 'object' || body === null) return true;
      if (isFormRequest(request)) rejectRepeatedParameters(body);
      if (!('grant_type' in body)) return true;
      const given = body.grant_type;
      if (given === undefined || grantTypes.some((grantType) => grantType === given)) return true;
      throw new ProblemException(
        'unsupportedGrantType',
        `Only grant_type=${spoken(grantTypes)} is accepted here.`,
        { extensions: { error: 'unsupported_grant_type' } },
      );
    }
  }
  return mixin(GrantTypeGuardMixin);
}

/** `a`, `a or b`, `a, b or c`. */
function spoken(names: readonly string[]): string {
  return names.length <= 1
    ? names.join('')
    : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

/** For OAuth2 endpoints without a grant (revocation, introspection): no repeated form parameter. */
@Injectable()
export class FormParametersGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const body = request.body;
    if (typeof body === 'object' && body !== null && isFormRequest(request)) {
      rejectRepeatedParameters(body);
    }
    return true;
  }
}

/**
 * The form parser turns a repeated parameter into an array; none of ours may be one (RFC 6749
 * §3.2, RFC 7009 §2.1, RFC 7662 §2.1).
 */
export function rejectRepeatedParameters(form: object): void {
  const repeated = Object.entries(form).find(([, value]) => Array.isArray(value));
  if (!repeated) return;
  // Name it only when it looks like a parameter name: never echo arbitrary client text.
  const name = /^[A-Za-z0-9_]{1,64}$/.test(repeated[0]) ? repeated[0] : 'A parameter';
  throw new ProblemException('invalidRequest', `${name} was sent more than once.`, {
    extensions: { error: 'invalid_request' },
  });
}
