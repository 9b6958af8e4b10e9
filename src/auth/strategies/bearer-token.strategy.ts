import type { IncomingHttpHeaders } from 'node:http';
import { Strategy } from 'passport-strategy';

export type VerifyBearerToken = (
  token: string,
  done: (error: unknown, user?: unknown) => void,
) => void;

/**
 * A Passport strategy that takes the Bearer token (RFC 6750 §2.1) and hands it to a verify
 * callback. With no token it fails without an error, which the guard answers "Not authenticated".
 */
export class BearerTokenStrategy extends Strategy {
  name = 'bearer-token';

  constructor(private readonly verifyToken: VerifyBearerToken) {
    super();
  }

  override authenticate(request: { headers: IncomingHttpHeaders }): void {
    const token = bearerToken(request.headers.authorization);
    if (!token) {
      this.fail(401);
      return;
    }
    this.verifyToken(token, (error, user) => {
      if (error)
        this.error(error instanceof Error ? error : new Error('token verification failed'));
      else if (user) this.success(user);
      else this.fail(401);
    });
  }
}

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization || authorization.length < 8) return undefined;
  // The scheme is case-insensitive (RFC 9110 §11.1).
  if (authorization.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
  const token = authorization.slice(7).trim();
  return token === '' ? undefined : token;
}
