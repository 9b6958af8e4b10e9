// The reference the benchmark compares GET /protected with: the same NestJS and Fastify as the
// service, one route behind a global guard that verifies an HS256 token by hand (node:crypto HMAC,
// JSON.parse of the payload), no logging, nothing else. Plain JavaScript, decorators applied by
// hand, so it runs as it stands. PORT and JWT_SECRET from the environment.
import 'reflect-metadata';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Injectable, Module, Req, UnauthorizedException } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

const secret = Buffer.from(process.env.JWT_SECRET ?? '', 'utf8');

class HandVerifiedHs256Guard {
  canActivate(context) {
    const request = context.switchToHttp().getRequest();
    const authorization = request.headers.authorization ?? '';
    if (!authorization.startsWith('Bearer ')) throw new UnauthorizedException();
    const token = authorization.slice(7);
    const [header, payload, signature] = token.split('.');
    if (!header || !payload || !signature) throw new UnauthorizedException();
    const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthorizedException();
    }
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
      throw new UnauthorizedException();
    }
    request.user = claims;
    return true;
  }
}
Injectable()(HandVerifiedHs256Guard);

class ProtectedController {
  hello(request) {
    return { message: `Hello ${request.user.username}, welcome to the protected route!` };
  }
}
Controller()(ProtectedController);
Req()(ProtectedController.prototype, 'hello', 0);
Reflect.decorate(
  [Get('protected')],
  ProtectedController.prototype,
  'hello',
  Object.getOwnPropertyDescriptor(ProtectedController.prototype, 'hello'),
);

class ReferenceModule {}
Module({
  controllers: [ProtectedController],
  providers: [{ provide: APP_GUARD, useClass: HandVerifiedHs256Guard }],
})(ReferenceModule);

const app = await NestFactory.create(ReferenceModule, new FastifyAdapter(), { logger: false });
await app.listen(Number(process.env.PORT), '127.0.0.1');
// A clean exit on SIGTERM (the bench stops it so; a --cpu-prof run writes its profile then).
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
