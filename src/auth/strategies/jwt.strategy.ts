import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { KeyObject } from 'node:crypto';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { JWT_ALGORITHMS, AppConfig } from '../../config/app-config.js';
import { invalidToken, tokenRevoked } from '../guards/bearer-challenges.js';
import { RevocationList } from '../sessions/revocation-list.js';
import type { AccessTokenClaims, AuthenticatedUser } from '../tokens/access-token.claims.js';
import { SigningKeys } from '../tokens/signing-keys.js';

/**
 * Verifies the Bearer access token (RFC 6750 §2.1): the key its `kid` names, only with that key's
 * algorithm (never the token's word alone), then issuer, audience, expiry and revocation.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    keys: SigningKeys,
    config: AppConfig,
    private readonly revocations: RevocationList,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      secretOrKeyProvider: (_request: unknown, rawJwt: string, done: KeyCallback) => {
        keyFor(keys, rawJwt).then(
          // jsonwebtoken takes KeyObjects; @types/passport-jwt only lists string | Buffer.
          (key) => (key ? done(null, key as unknown as Buffer) : done(new Error('unknown key'))),
          (error: Error) => done(error),
        );
      },
      algorithms: [...JWT_ALGORITHMS],
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      ignoreExpiration: false,
    });
  }

  validate(claims: Partial<AccessTokenClaims>): AuthenticatedUser {
    const { sub, username, jti, sid, exp } = claims;
    if (
      typeof sub !== 'string' ||
      typeof username !== 'string' ||
      typeof jti !== 'string' ||
      typeof sid !== 'string' ||
      typeof exp !== 'number'
    ) {
      throw invalidToken();
    }
    if (this.revocations.isRevoked(sid)) throw tokenRevoked();
    return { id: sub, username, tokenId: jti, sessionId: sid, expiresAt: exp };
  }
}

type KeyCallback = (error: Error | null, key?: string | Buffer) => void;

/** The verification key for a token: its `kid` must be ours and its `alg` that key's own. */
async function keyFor(keys: SigningKeys, rawJwt: string): Promise<KeyObject | undefined> {
  const header = decodeHeader(rawJwt);
  if (typeof header?.kid !== 'string' || typeof header.alg !== 'string') return undefined;
  const key = keys.find(header.kid) ?? (await keys.findOrReload(header.kid));
  return key && key.alg === header.alg ? key.verifyWith : undefined;
}

function decodeHeader(rawJwt: string): Record<string, unknown> | undefined {
  try {
    const header: unknown = JSON.parse(
      Buffer.from(rawJwt.split('.', 1)[0] ?? '', 'base64url').toString('utf8'),
    );
    return typeof header === 'object' && header !== null
      ? (header as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
