import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-local';
import type { FastifyRequest } from 'fastify';
import { clientInfo } from '../../common/decorators/client-info.decorator.js';
import type { User } from '../../users/user.js';
import { AuthService } from '../auth.service.js';

/** Username and password from the login body (JSON or the OAuth2 form). */
@Injectable()
export class LocalStrategy extends PassportStrategy(Strategy, 'local') {
  constructor(private readonly auth: AuthService) {
    super({
      usernameField: 'username',
      passwordField: 'password',
      session: false,
      passReqToCallback: true,
    });
  }

  validate(request: FastifyRequest, username: string, password: string): Promise<User> {
    return this.auth.authenticate(username, password, clientInfo(request));
  }
}
