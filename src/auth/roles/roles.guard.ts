import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../../common/problems/problem.exception.js';
import { notAuthenticated } from '../guards/bearer-challenges.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { ROLES_KEY } from './roles.decorator.js';

/**
 * Global guard, registered after the JWT guard: a route with @Roles lets a caller through only
 * when their token's `roles` claim holds one of them. It reads the claim, not the database, so
 * the check costs nothing per request; a change of roles ends the holder's sessions instead.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<readonly string[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!required || required.length === 0) return true;
    const caller = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user?: AuthenticatedUser }>().user;
    // A @Public() route with @Roles makes no sense: refuse rather than guess.
    if (!caller) throw notAuthenticated();
    if (required.some((role) => caller.roles.includes(role))) return true;
    throw new ProblemException('forbidden', `This needs the ${required.join(' or ')} role.`);
  }
}
