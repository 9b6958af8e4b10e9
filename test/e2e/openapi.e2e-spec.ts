import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalAuthGuard } from '../../src/auth/guards/local-auth.guard.js';
import { IntrospectionClientGuard } from '../../src/auth/oauth/introspection-client.guard.js';
import { IpRateLimitGuard } from '../../src/rate-limit/ip-rate-limit.guard.js';
import { BrowserOriginGuard } from '../../src/auth/browser/browser-origin.guards.js';
import { registeredRoutes, type Route } from '../support/routes.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/** Statuses a route can give beyond what its shape implies (guard, body, rate limit). */
const SPECIFIC_STATUSES: Readonly<Record<string, readonly number[]>> = {
  'POST /signup': [201, 409, 503],
  'POST /login': [200, 400, 403, 503],
  'POST /login/mfa': [200, 401],
  'POST /login/passkey/options': [200, 404],
  'POST /login/passkey': [200, 401, 403, 404],
  'POST /me/mfa/totp': [200, 403, 409, 429, 503],
  'POST /me/mfa/totp/confirm': [200, 403, 409, 429, 503],
  'DELETE /me/mfa/totp': [204, 403, 409, 429, 503],
  'POST /me/mfa/recovery-codes': [200, 403, 409, 429, 503],
  'POST /refresh': [200, 400, 401],
  'POST /revoke': [200],
  'POST /introspect': [200],
  'GET /.well-known/oauth-authorization-server': [200],
  'POST /logout': [204],
  'POST /logout/all': [204],
  'GET /me': [200],
  'DELETE /me': [204, 403, 409, 429, 503],
  'POST /me/password': [204, 403, 429, 503],
  'GET /me/sessions': [200],
  'GET /me/activity': [200, 422],
  'DELETE /me/sessions/{id}': [204, 404],
  'GET /me/identities': [200],
  'DELETE /me/identities/{id}': [204, 404, 409],
  // {id} is a provider's id here: the path is shared with DELETE (OpenAPI: one parameter name).
  'POST /me/identities/{id}': [200, 403, 503],
  'POST /me/identities/{provider}/complete': [201, 409],
  // Every passkey route: 404 while WEBAUTHN_RP_ID is unset.
  'POST /me/passkeys/options': [200, 403, 404, 429, 503],
  'POST /me/passkeys': [201, 400, 404, 409],
  'GET /me/passkeys': [200, 404],
  'PATCH /me/passkeys/{id}': [200, 404],
  'DELETE /me/passkeys/{id}': [204, 404, 409],
  'GET /protected': [200],
  'POST /password/forgot': [202, 503],
  'POST /password/reset': [204, 400, 503],
  'GET /password/reset': [200],
  'POST /email/verify': [204, 400],
  'GET /email/verify': [200],
  'POST /me/email/verification': [202, 503],
  'POST /me/email': [202, 403, 429, 503],
  'GET /pages/account-pages.js': [200],
  'GET /pages/account-pages.css': [200],
  'GET /health': [200],
  'GET /health/ready': [200, 503],
  'GET /.well-known/jwks.json': [200],
  'GET /oauth/providers': [200],
  'GET /authorize': [302, 400],
  'GET /oauth/{provider}/callback': [302, 400],
  'GET /admin/users': [200, 422],
  'GET /admin/users/{id}': [200, 404],
  'PATCH /admin/users/{id}': [200, 404, 409],
  'POST /admin/users/{id}/disable': [204, 404, 409],
  'POST /admin/users/{id}/enable': [204, 404],
  'DELETE /admin/users/{id}/sessions': [204, 404],
  'DELETE /admin/users/{id}': [204, 404, 409],
  'DELETE /admin/users/{id}/mfa': [204, 404, 409],
  'DELETE /admin/users/{id}/identities/{identityId}': [204, 404, 409],
  'DELETE /admin/users/{id}/passkeys/{passkeyId}': [204, 404, 409],
  // 202 once mail sending exists; until then 503 mail-not-configured.
  'POST /admin/users/{id}/password-reset': [202, 404, 503],
  'GET /admin/audit': [200, 422],
  // Only registered with METRICS_ENABLED=1.
  'GET /metrics': [200, 401],
};

/** What every route of its shape can answer, so none is left undocumented. */
function expectedStatuses(route: Route): number[] {
  const statuses = new Set(SPECIFIC_STATUSES[route.key] ?? []);
  if (!route.isPublic) statuses.add(401);
  // RolesGuard: a valid token without the role.
  if (route.roles.length > 0) statuses.add(403);
  // LocalAuthGuard reads and validates the login body itself, before any @Body() would.
  const takesBody = route.takesBody || route.guards.includes(LocalAuthGuard);
  if (takesBody) for (const status of [400, 413, 415, 422]) statuses.add(status);
  // The router refuses a path parameter that is not valid percent-encoding or over 100 characters.
  if (route.key.includes('{')) for (const status of [400, 414]) statuses.add(status);
  if (route.guards.includes(IpRateLimitGuard)) statuses.add(429);
  // REFRESH_TOKEN_COOKIE=on: a browser Origin that is neither ours nor in CORS_ORIGINS.
  if (route.guards.includes(BrowserOriginGuard)) statuses.add(403);
  if (route.guards.includes(LocalAuthGuard)) statuses.add(401);
  if (route.guards.includes(IntrospectionClientGuard)) statuses.add(401);
  // An OAuth2 endpoint answers a form missing a parameter with 400 invalid_request.
  if (route.isOAuth && takesBody) statuses.add(400);
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

  it('documents every error as problem details, with an example (application/json on OAuth2 endpoints)', () => {
    for (const route of routes) {
      for (const [status, response] of Object.entries(operation(route.key).responses)) {
        if (Number(status) < 400) continue;
        const mediaType = route.isOAuth ? 'application/json' : 'application/problem+json';
        expect({ route: route.key, types: Object.keys(response.content ?? {}) }).toEqual({
          route: route.key,
          types: [mediaType],
        });
        const problem = response.content?.[mediaType];
        expect({ route: route.key, status, ref: problem?.schema?.$ref }).toEqual({
          route: route.key,
          status,
          ref: '#/components/schemas/ProblemDetailsDto',
        });
        expect(Object.keys(problem?.examples ?? {}).length).toBeGreaterThan(0);
      }
    }
  });

  it('groups operations by tag, gives each a summary, and says how each is secured', () => {
    for (const route of routes) {
      const op = operation(route.key);
      expect(op.tags?.length).toBeGreaterThan(0);
      expect(op.summary).toEqual(expect.any(String));
      // Public operations say `security: []` outright (Redocly's security-defined rule).
      expect(op.security).toBeDefined();
      const schemes = (op.security ?? []).flatMap((requirement) => Object.keys(requirement));
      const expected = route.guards.includes(IntrospectionClientGuard)
        ? ['introspection']
        : route.isPublic
          ? []
          : ['bearer', 'oauth2'];
      expect({ route: route.key, schemes: schemes.sort() }).toEqual({
        route: route.key,
        schemes: expected,
      });
    }
  });

  it('names a server, so tools know where the API is', () => {
    expect((document as unknown as { servers: unknown[] }).servers).toEqual([{ url: '/' }]);
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
    // Any string is a refresh token to check (401 invalid_grant if not ours), never a 422.
    expect(schemas.RefreshDto!.properties.refresh_token!.maxLength).toBeUndefined();
  });
});
