import { ProblemException } from '../common/problems/problem.exception.js';

/** RFC 6750 §3: a request without credentials gets a bare challenge, no error code. */
export function notAuthenticated(): ProblemException {
  return new ProblemException('unauthenticated', 'Not authenticated', {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
}

export function invalidToken(): ProblemException {
  return new ProblemException('invalidToken', 'Invalid token', {
    headers: {
      'WWW-Authenticate':
        'Bearer error="invalid_token", error_description="The access token is invalid"',
    },
  });
}

export function tokenExpired(): ProblemException {
  return new ProblemException('tokenExpired', 'Token expired', {
    headers: {
      'WWW-Authenticate':
        'Bearer error="invalid_token", error_description="The access token expired"',
    },
  });
}

export function tokenRevoked(): ProblemException {
  return new ProblemException('tokenRevoked', 'Token revoked', {
    headers: {
      'WWW-Authenticate':
        'Bearer error="invalid_token", error_description="The access token was revoked"',
    },
  });
}
