import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { createValidationPipe } from '../../common/validation/validation.pipe.js';
import { invalidCredentials } from '../auth.service.js';
import { AuthorizationCodeDto } from '../dto/authorization-code.dto.js';
import { LoginDto } from '../dto/login.dto.js';
import { RefreshDto } from '../dto/refresh.dto.js';

const validationPipe = createValidationPipe();

/**
 * Guards POST /login. Guards run before pipes, so the body is validated here first: a malformed
 * request gets its 400/422 instead of a misleading 401. The refresh grant (RFC 6749 §6) needs no
 * password: its body is validated as a RefreshDto and the handler refreshes.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    if (grantOf(request.body) === 'authorization_code') {
      // The code grant proves who it is by the code and PKCE verifier: the handler checks them.
      request.body = await validationPipe.transform(request.body, {
        type: 'body',
        metatype: AuthorizationCodeDto,
      });
      return true;
    }
    if (grantOf(request.body) === 'refresh_token') {
      request.body = await validationPipe.transform(request.body, {
        type: 'body',
        metatype: RefreshDto,
      });
      return true;
    }
    request.body = await validationPipe.transform(request.body, {
      type: 'body',
      metatype: LoginDto,
    });
    return (await super.canActivate(context)) as boolean;
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error instanceof Error) throw error;
    if (error || !user) throw invalidCredentials();
    return user;
  }
}

function grantOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null
    ? (body as { grant_type?: unknown }).grant_type
    : undefined;
}
