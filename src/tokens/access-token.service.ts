import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { createSigner } from 'fast-jwt';
import { AppConfig } from '../config/app-config.js';
import type { User } from '../users/user.js';
import type { SigningKey } from './signing-key.js';
import { SigningKeys } from './signing-keys.js';

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

type Sign = (claims: Record<string, unknown>) => string;

/**
 * Issues access tokens with fast-jwt: one signer per key, built once (the header, key, issuer,
 * audience and lifetime fixed in it), as AccessTokenVerifier has one verifier per key. Per token
 * only the claims are encoded and signed; no options are merged or keys checked per call.
 */
@Injectable()
export class AccessTokenService {
  private readonly signers = new Map<string, Sign>();

  constructor(
    private readonly keys: SigningKeys,
    private readonly config: AppConfig,
  ) {}

  /** `amr` (RFC 8176) says how the session's login was proved: `["pwd"]`, `["pwd","otp"]`… */
  issue(
    user: Pick<User, 'id' | 'username' | 'emailVerifiedAt' | 'roles'>,
    sessionId: string,
    amr: readonly string[],
    origin: { readonly authTime: Date | null; readonly idp: string | null } = {
      authTime: null,
      idp: null,
    },
  ): IssuedAccessToken {
    const token = this.signerFor(this.keys.current)({
      sub: user.id,
      username: user.username,
      sid: sessionId,
      roles: user.roles,
      amr,
      ...(origin.authTime === null
        ? {}
        : { auth_time: Math.floor(origin.authTime.getTime() / 1000) }),
      ...(origin.idp === null ? {} : { idp: origin.idp }),
      email_verified: user.emailVerifiedAt !== null,
      jti: randomUUID(),
    });
    return { token, expiresIn: this.config.jwt.accessTokenTtlSeconds };
  }

  private signerFor(key: SigningKey): Sign {
    let sign = this.signers.get(key.kid);
    if (!sign) {
      const { issuer, audience, accessTokenTtlSeconds } = this.config.jwt;
      sign = createSigner<Record<string, unknown>>({
        // fast-jwt takes raw material and makes its KeyObject once, here.
        key:
          key.alg === 'HS256'
            ? key.signWith.export()
            : key.signWith.export({ type: 'pkcs8', format: 'pem' }),
        algorithm: key.alg,
        kid: key.kid,
        iss: issuer,
        aud: audience,
        expiresIn: accessTokenTtlSeconds * 1000,
      });
      this.signers.set(key.kid, sign);
    }
    return sign;
  }
}
