import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC_KEY } from '../../common/decorators/public.decorator.js';
import { ProblemException } from '../../common/problems/problem.exception.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { invalidToken, notAuthenticated } from './bearer-challenges.js';

/** Global guard (APP_GUARD): every route needs a valid access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    const isPublic = this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    return isPublic === true || super.canActivate(context);
  }

  override handleRequest<TUser = AuthenticatedUser>(
    error: unknown,
    user: TUser | false,
    info: unknown,
  ): TUser {
    if (error instanceof ProblemException) throw error;
    if (error) throw invalidToken();
    if (user) return user;
    throw challengeFor(info);
  }
}

/** The strategy fails without an error only when there is no Bearer token at all. */
function challengeFor(info: unknown): ProblemException {
  return info instanceof Error ? invalidToken() : notAuthenticated();
}
