import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AppConfig } from '../../config/app-config.js';
import { invalidToken } from '../guards/bearer-challenges.js';
import type { AccessTokenClaims, AuthenticatedUser } from '../tokens/access-token.claims.js';
import { SigningKeys } from '../tokens/signing-keys.js';

/** Verifies the Bearer access token (RFC 6750 §2.1): pinned algorithm, issuer, audience, expiry. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(keys: SigningKeys, config: AppConfig) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // jsonwebtoken takes a KeyObject; @types/passport-jwt only lists string | Buffer.
      secretOrKey: keys.secret as unknown as Buffer,
      algorithms: [keys.algorithm],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  validate(claims: Partial<AccessTokenClaims>): AuthenticatedUser {
    const { sub, username, jti, exp } = claims;
    if (
      typeof sub !== 'string' ||
      typeof username !== 'string' ||
      typeof jti !== 'string' ||
      typeof exp !== 'number'
    ) {
      throw invalidToken();
    }
    return { id: sub, username, tokenId: jti, expiresAt: exp };
  }
}
