import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiProblemResponses } from '../../common/problems/api-problem-responses.decorator.js';

export const ROLES_KEY = 'roles';

/**
 * Lets only callers whose access token carries one of `roles` through (RolesGuard, global):
 * others get `403 /problems/forbidden`, documented here so no such route forgets it. On a
 * controller it covers every route; a route's own @Roles replaces the controller's.
 */
export function Roles(...roles: [string, ...string[]]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(ROLES_KEY, roles),
    ApiProblemResponses({
      kind: 'forbidden',
      detail: `This needs the ${roles.join(' or ')} role.`,
      description: `A valid token without the ${roles.join(' or ')} role`,
    }),
  );
}
