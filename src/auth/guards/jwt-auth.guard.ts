import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { IS_PUBLIC_KEY } from '../../common/decorators/public.decorator.js';
import { ProblemException } from '../../common/problems/problem.exception.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { invalidToken, notAuthenticated, tokenExpired } from './bearer-challenges.js';

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

/** passport-jwt reports why it failed in `info`: no token, or the verifier's error. */
function challengeFor(info: unknown): ProblemException {
  if (!(info instanceof Error)) return notAuthenticated();
  if (info.name === 'TokenExpiredError') return tokenExpired();
  if (info.message === 'No auth token') return notAuthenticated();
  return invalidToken();
}
