import {
  GUARDS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';
import { ROLES_KEY } from '../../src/auth/roles/roles.decorator.js';
import { IS_PUBLIC_KEY } from '../../src/common/decorators/public.decorator.js';
import type { TestApp } from './test-app.js';

export interface Route {
  readonly key: string;
  readonly isPublic: boolean;
  readonly takesBody: boolean;
  readonly guards: readonly unknown[];
  /** An @OAuthEndpoint(): errors as application/json with an `error` code. */
  readonly isOAuth: boolean;
  /** The roles its @Roles asks for (the route's own, else its controller's); empty without. */
  readonly roles: readonly string[];
}

/** Every route Nest registers, read from the controllers' metadata. */
export function registeredRoutes(app: TestApp): Route[] {
  const routes: Route[] = [];
  for (const module of app.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) continue;
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (method === undefined || path === undefined) continue;
        const full = `/${[base, path]
          .map((p) => p.replace(/^\/|\/$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
          string,
          unknown
        >;
        routes.push({
          key: `${RequestMethod[method]} ${full.replace(/:(\w+)/g, '{$1}')}`,
          isPublic:
            Reflect.getMetadata(IS_PUBLIC_KEY, handler) === true ||
            Reflect.getMetadata(IS_PUBLIC_KEY, controller) === true,
          takesBody: Object.keys(args).some((key) => key.startsWith('3:')),
          guards: (Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[],
          isOAuth:
            (
              Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) as
                { oauthEndpoint?: boolean } | undefined
            )?.oauthEndpoint === true,
          roles: (Reflect.getMetadata(ROLES_KEY, handler) ??
            Reflect.getMetadata(ROLES_KEY, controller) ??
            []) as string[],
        });
      }
    }
  }
  return routes;
}
