import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import type { FastifyRequest } from 'fastify';
import { ProblemException } from '../../common/problems/problem.exception.js';
import { createValidationPipe } from '../../common/validation/validation.pipe.js';
import { invalidCredentials } from '../auth.service.js';
import { LoginDto } from '../dto/login.dto.js';

const validationPipe = createValidationPipe();

/**
 * Guards POST /login. Guards run before pipes, so the body is validated here first: a malformed
 * request gets its 400/422 instead of a misleading 401.
 */
@Injectable()
export class LocalAuthGuard extends AuthGuard('local') {
  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    assertPasswordGrant(request.body);
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

/** RFC 6749 §5.2: a grant other than `password` is `unsupported_grant_type`, not a bad login. */
function assertPasswordGrant(body: unknown): void {
  if (typeof body !== 'object' || body === null || !('grant_type' in body)) return;
  const grantType = body.grant_type;
  if (grantType !== undefined && grantType !== 'password') {
    throw new ProblemException(
      'unsupportedGrantType',
      'Only grant_type=password is accepted here.',
      {
        extensions: { error: 'unsupported_grant_type' },
      },
    );
  }
}
