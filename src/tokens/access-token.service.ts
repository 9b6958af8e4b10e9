import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config.js';
import type { User } from '../users/user.js';
import { SigningKeys } from './signing-keys.js';

export interface IssuedAccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

@Injectable()
export class AccessTokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly keys: SigningKeys,
    private readonly config: AppConfig,
  ) {}

  /** `amr` (RFC 8176) says how the session's login was proved: `["pwd"]`, `["pwd","otp"]`… */
  issue(
    user: Pick<User, 'id' | 'username' | 'emailVerifiedAt' | 'roles'>,
    sessionId: string,
    amr: readonly string[],
  ): IssuedAccessToken {
    const { issuer, audience, accessTokenTtlSeconds } = this.config.jwt;
    const key = this.keys.current;
    const token = this.jwt.sign(
      {
        username: user.username,
        sid: sessionId,
        roles: user.roles,
        amr,
        email_verified: user.emailVerifiedAt !== null,
      },
      {
        privateKey: key.signWith,
        algorithm: key.alg,
        keyid: key.kid,
        subject: user.id,
        jwtid: randomUUID(),
        issuer,
        audience,
        expiresIn: accessTokenTtlSeconds,
      },
    );
    return { token, expiresIn: accessTokenTtlSeconds };
  }
}
