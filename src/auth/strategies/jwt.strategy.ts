import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { USER_ROLE } from '../../config/roles.js';
import { PASSWORD_ONLY } from '../../sessions/session.js';
import { notAuthenticated, tokenRevoked } from '../../tokens/bearer-challenges.js';
import { RevocationList } from '../../sessions/revocation-list.js';
import type { AccessTokenClaims, AuthenticatedUser } from '../../tokens/access-token.claims.js';
import { AccessTokenVerifier } from '../../tokens/access-token.verifier.js';
import { BearerTokenStrategy, bearerToken } from './bearer-token.strategy.js';

/** What a token issued before the `roles` claim existed may do: what every account may. */
const PRE_ROLES_TOKEN: readonly string[] = [USER_ROLE];

/**
 * The `jwt` Passport strategy behind the global guard: the Bearer token verified by fast-jwt
 * (see AccessTokenVerifier), then its session checked against the in-memory revocation list.
 * No database query per request.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(BearerTokenStrategy, 'jwt') {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: RevocationList,
  ) {
    super();
  }

  /**
   * What passport.authenticate('jwt') decides, for a request's Authorization header, called
   * directly: the user, or the 401 problem to answer (no token at all: Not authenticated).
   * Synchronous for a token verified before. The global guard calls this rather than
   * passport.authenticate, which builds a delegate object per request with
   * `Object.create(strategy)` and five closures: under load that pattern multiplied the time V8
   * spent collecting garbage by about ten (measured; see docs/performance.md).
   */
  userFor(authorization: string | undefined): AuthenticatedUser | Promise<AuthenticatedUser> {
    const token = bearerToken(authorization);
    if (token === undefined) throw notAuthenticated();
    return this.validate(token);
  }

  validate(token: string): AuthenticatedUser | Promise<AuthenticatedUser> {
    const claims = this.verifier.verify(token);
    return claims instanceof Promise ? claims.then((c) => this.admit(c)) : this.admit(claims);
  }

  private admit(claims: AccessTokenClaims): AuthenticatedUser {
    if (this.revocations.isRevoked(claims.sid)) throw tokenRevoked();
    return {
      id: claims.sub,
      username: claims.username,
      tokenId: claims.jti,
      sessionId: claims.sid,
      expiresAt: claims.exp,
      roles: claims.roles ?? PRE_ROLES_TOKEN,
      // Tokens issued before two-factor login existed were password-only.
      amr: claims.amr ?? PASSWORD_ONLY,
    };
  }
}
