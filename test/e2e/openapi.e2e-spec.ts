import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  GUARDS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { LocalAuthGuard } from '../../src/auth/guards/local-auth.guard.js';
import { IS_PUBLIC_KEY } from '../../src/common/decorators/public.decorator.js';
import { IpRateLimitGuard } from '../../src/rate-limit/ip-rate-limit.guard.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

interface Route {
  readonly key: string;
  readonly isPublic: boolean;
  readonly takesBody: boolean;
  readonly guards: readonly unknown[];
}

/** Statuses a route can give beyond what its shape implies (guard, body, rate limit). */
const SPECIFIC_STATUSES: Readonly<Record<string, readonly number[]>> = {
  'POST /signup': [201, 409, 503],
  'POST /login': [200, 400, 503],
  'POST /refresh': [200, 400, 401],
  'POST /logout': [204],
  'POST /logout/all': [204],
  'GET /me': [200],
  'POST /me/password': [204, 403, 503],
  'GET /me/sessions': [200],
  'GET /me/activity': [200, 422],
  'DELETE /me/sessions/{id}': [204, 404],
  'GET /protected': [200],
  'GET /health': [200],
  'GET /health/ready': [200, 503],
  'GET /.well-known/jwks.json': [200],
  // Only registered with METRICS_ENABLED=1.
  'GET /metrics': [200, 401],
};

/** Every route Nest registers, read from the controllers' metadata. */
function registeredRoutes(app: TestApp): Route[] {
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
        });
      }
    }
  }
  return routes;
}

/** What every route of its shape can answer, so none is left undocumented. */
function expectedStatuses(route: Route): number[] {
  const statuses = new Set(SPECIFIC_STATUSES[route.key] ?? []);
  if (!route.isPublic) statuses.add(401);
  // LocalAuthGuard reads and validates the login body itself, before any @Body() would.
  const takesBody = route.takesBody || route.guards.includes(LocalAuthGuard);
  if (takesBody) for (const status of [400, 413, 415, 422]) statuses.add(status);
  // The router refuses a path parameter that is not valid percent-encoding or over 100 characters.
  if (route.key.includes('{')) for (const status of [400, 414]) statuses.add(status);
  if (route.guards.includes(IpRateLimitGuard)) statuses.add(429);
  if (route.guards.includes(LocalAuthGuard)) statuses.add(401);
  return [...statuses].sort();
}

type Operation = {
  tags?: string[];
  summary?: string;
  security?: object[];
  responses: Record<
    string,
    { content?: Record<string, { schema?: { $ref?: string }; examples?: object }> }
  >;
};

describe('the OpenAPI document is complete and honest', () => {
  let app: TestApp;
  let document: {
    paths: Record<string, Record<string, Operation>>;
    components: {
      schemas: Record<string, { properties: Record<string, Record<string, unknown>> }>;
    };
  };
  let routes: Route[];

  beforeAll(async () => {
    app = await createTestApp();
    document = (await app.http().get('/docs-json').expect(200)).body;
    routes = registeredRoutes(app);
  });
  afterAll(() => app.close({ removeData: true }));

  const operation = (key: string): Operation => {
    const [method = '', path = ''] = key.split(' ');
    return document.paths[path]?.[method.toLowerCase()] as Operation;
  };

  it('documents every route Nest registers, and nothing else', () => {
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(routes.map((route) => route.key).sort());
  });

  it('knows what every route can answer (a new route must be added to SPECIFIC_STATUSES)', () => {
    const unknown = routes.map((route) => route.key).filter((key) => !(key in SPECIFIC_STATUSES));
    expect(unknown).toEqual([]);
  });

  it('documents every status each route can give', () => {
    for (const route of routes) {
      const documented = Object.keys(operation(route.key).responses).map(Number).sort();
      expect({ route: route.key, statuses: documented }).toEqual({
        route: route.key,
        statuses: expectedStatuses(route),
      });
    }
  });

  it('documents every error as problem details, with an example', () => {
    for (const route of routes) {
      for (const [status, response] of Object.entries(operation(route.key).responses)) {
        if (Number(status) < 400) continue;
        const problem = response.content?.['application/problem+json'];
        expect({ route: route.key, status, ref: problem?.schema?.$ref }).toEqual({
          route: route.key,
          status,
          ref: '#/components/schemas/ProblemDetailsDto',
        });
        expect(Object.keys(problem?.examples ?? {}).length).toBeGreaterThan(0);
      }
    }
  });

  it('groups operations by tag, gives each a summary, and marks the guarded ones as secured', () => {
    for (const route of routes) {
      const op = operation(route.key);
      expect(op.tags?.length).toBeGreaterThan(0);
      expect(op.summary).toEqual(expect.any(String));
      expect({ route: route.key, secured: (op.security ?? []).length > 0 }).toEqual({
        route: route.key,
        secured: !route.isPublic,
      });
    }
  });

  it('shows the validation limits in the schemas', () => {
    const { schemas } = document.components;
    expect(schemas.SignupDto!.properties.username).toMatchObject({
      minLength: 3,
      maxLength: 32,
      pattern: '^[A-Za-z0-9_.-]{3,32}$',
    });
    expect(schemas.SignupDto!.properties.password).toMatchObject({ minLength: 8, maxLength: 72 });
    expect(schemas.SignupDto!.properties.email).toMatchObject({ format: 'email', maxLength: 254 });
    expect(schemas.ChangePasswordDto!.properties.new_password).toMatchObject({
      minLength: 8,
      maxLength: 72,
    });
    expect(schemas.LoginDto!.properties.username).toMatchObject({ maxLength: 256 });
    expect(schemas.RefreshDto!.properties.refresh_token).toMatchObject({ maxLength: 256 });
  });
});
