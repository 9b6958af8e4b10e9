import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { IntrospectionClients } from './introspection-clients.js';

/** Only the resource servers of INTROSPECTION_CLIENTS may introspect (RFC 7662 §2.1). */
@Injectable()
export class IntrospectionClientGuard implements CanActivate {
  constructor(private readonly clients: IntrospectionClients) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    this.clients.authenticate(request.headers.authorization);
    return true;
  }
}
