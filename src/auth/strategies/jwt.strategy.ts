import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { USER_ROLE } from '../../users/roles.js';
import { PASSWORD_ONLY } from '../sessions/session.js';
import { tokenRevoked } from '../guards/bearer-challenges.js';
import { RevocationList } from '../sessions/revocation-list.js';
import type { AccessTokenClaims, AuthenticatedUser } from '../tokens/access-token.claims.js';
import { AccessTokenVerifier } from '../tokens/access-token.verifier.js';
import { BearerTokenStrategy } from './bearer-token.strategy.js';

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
