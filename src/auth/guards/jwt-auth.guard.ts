import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { IS_PUBLIC_KEY } from '../../common/decorators/public.decorator.js';
import { RouteMetadata } from '../../common/decorators/route-metadata.js';
import { ProblemException } from '../../common/problems/problem.exception.js';
import { JwtStrategy } from '../strategies/jwt.strategy.js';
import type { AuthenticatedUser } from '../../tokens/access-token.claims.js';
import { invalidToken } from '../../tokens/bearer-challenges.js';

type AuthenticatedRequest = FastifyRequest & { user?: AuthenticatedUser };

/**
 * Global guard (APP_GUARD): every route needs a valid access token unless marked @Public(). The
 * `jwt` Passport strategy decides (JwtStrategy.userFor: the Bearer token, its verification, the
 * revocation check); its answer goes on `request.user`, where @nestjs/passport's AuthGuard puts it.
 * The hottest path in the service: no await for a token seen before, route metadata read once.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly isPublic: RouteMetadata<boolean>;

  constructor(
    reflector: Reflector,
    private readonly strategy: JwtStrategy,
  ) {
    this.isPublic = new RouteMetadata(reflector, IS_PUBLIC_KEY);
  }

  canActivate(context: ExecutionContext): true | Promise<true> {
    if (this.isPublic.of(context) === true) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    let user: AuthenticatedUser | Promise<AuthenticatedUser>;
    try {
      user = this.strategy.userFor(request.headers.authorization);
    } catch (error) {
      throw asProblem(error);
    }
    if (!(user instanceof Promise)) {
      request.user = user;
      return true;
    }
    return user.then(
      (verified) => {
        request.user = verified;
        return true as const;
      },
      (error: unknown) => {
        throw asProblem(error);
      },
    );
  }
}

/** The strategy's 401 problems as they are; anything else it throws is an invalid token. */
function asProblem(error: unknown): ProblemException {
  return error instanceof ProblemException ? error : invalidToken();
}
