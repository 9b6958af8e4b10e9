import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

/**
 * A route's metadata under one key (handler first, then its class, as Reflector's
 * getAllAndOverride reads it), read once per route: global guards ask on every request, and
 * reflect-metadata's prototype walk was a measurable part of a request's cost. Metadata is set by
 * decorators when classes are defined, so it never changes afterwards.
 */
export class RouteMetadata<T> {
  private readonly byClass = new WeakMap<object, Map<object, T | undefined>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly key: string,
  ) {}

  of(context: ExecutionContext): T | undefined {
    const handler = context.getHandler();
    const type = context.getClass();
    let byHandler = this.byClass.get(type);
    if (!byHandler) this.byClass.set(type, (byHandler = new Map<object, T | undefined>()));
    if (byHandler.has(handler)) return byHandler.get(handler);
    const value = this.reflector.getAllAndOverride<T | undefined>(this.key, [handler, type]);
    byHandler.set(handler, value);
    return value;
  }
}
