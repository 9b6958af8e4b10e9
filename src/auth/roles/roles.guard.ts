import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { RouteMetadata } from '../../common/decorators/route-metadata.js';
import { ProblemException } from '../../common/problems/problem.exception.js';
import { notAuthenticated } from '../../tokens/bearer-challenges.js';
import type { AuthenticatedUser } from '../../tokens/access-token.claims.js';
import { ROLES_KEY } from './roles.decorator.js';
import { AppConfig } from '../../config/app-config.js';
import { ADMIN_ROLE } from '../../config/roles.js';

/** RFC 8176 methods that prove a second factor: a code from the app, or a recovery code. */
const SECOND_FACTORS = ['otp', 'mfa'];

/**
 * Global guard, registered after the JWT guard: a route with @Roles lets a caller through only
 * when their token's `roles` claim holds one of them. It reads the claim, not the database, so
 * the check costs nothing per request; a change of roles ends the holder's sessions instead.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly roles: RouteMetadata<readonly string[]>;

  constructor(
    reflector: Reflector,
    private readonly config: AppConfig,
  ) {
    this.roles = new RouteMetadata(reflector, ROLES_KEY);
  }

  canActivate(context: ExecutionContext): boolean {
    const required = this.roles.of(context);
    if (!required || required.length === 0) return true;
    const caller = context
      .switchToHttp()
      .getRequest<FastifyRequest & { user?: AuthenticatedUser }>().user;
    // A @Public() route with @Roles makes no sense: refuse rather than guess.
    if (!caller) throw notAuthenticated();
    if (!required.some((role) => caller.roles.includes(role))) {
      throw new ProblemException('forbidden', `This needs the ${required.join(' or ')} role.`);
    }
    // ADMIN_REQUIRE_MFA: admin routes want a session whose login passed a second factor.
    const adminRoute = required.includes(ADMIN_ROLE);
    if (adminRoute && this.config.adminRequireMfa) {
      if (!caller.amr.some((method) => SECOND_FACTORS.includes(method))) {
        throw new ProblemException(
          'forbidden',
          'Admin routes need a login with a second factor: turn on two-factor login and log in again.',
        );
      }
    }
    return true;
  }
}
