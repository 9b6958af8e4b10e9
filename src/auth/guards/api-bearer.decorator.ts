import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiOAuth2 } from '@nestjs/swagger';
import { ApiProblemResponses } from '../../common/problems/api-problem-responses.decorator.js';

/**
 * Documents a route behind the global JWT guard: both security schemes (OAuth2 password flow for
 * Swagger UI's Authorize, plain Bearer) and the 401s the guard answers.
 */
export function ApiBearer(): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiOAuth2([], 'oauth2'),
    ApiBearerAuth('bearer'),
    ApiProblemResponses(
      { kind: 'unauthenticated', detail: 'Not authenticated', description: 'No token' },
      { kind: 'invalidToken', detail: 'Invalid token', description: 'Bad token' },
      { kind: 'tokenExpired', detail: 'Token expired', description: 'Expired token' },
      { kind: 'tokenRevoked', detail: 'Token revoked', description: 'Revoked token (logout)' },
    ),
  );
}
