import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LocalAuthGuard } from '../../src/auth/guards/local-auth.guard.js';
import { registeredRoutes, type Route } from '../support/routes.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { bearer, logIn, signUp, type TestUser } from '../support/users.factory.js';

const DEPTH = 20_000;
const deepArray = `${'['.repeat(DEPTH)}"x"${']'.repeat(DEPTH)}`;
const deepObject = `${'{"a":'.repeat(9_000)}"x"${'}'.repeat(9_000)}`;

/**
 * JSON bodies that no route may answer with a 5xx: a 4xx problem, or for a route whose fields are
 * all optional (/logout), a success that ignored what it does not know.
 */
const BAD_BODIES: readonly (readonly [string, string, 'always 4xx' | 'never 5xx'])[] = [
  [
    'arrays nested 20,000 deep in a field',
    `{"username": ${deepArray}, "password": "x"}`,
    'always 4xx',
  ],
  ['objects nested 9,000 deep in a field', `{"token": ${deepObject}}`, 'always 4xx'],
  ['a body that is arrays nested 20,000 deep', deepArray, 'always 4xx'],
  ['truncated JSON', '{"username": "john", ', 'always 4xx'],
  [
    'a wrongly typed field',
    '{"username": {"$ne": null}, "password": ["a"], "token": 1}',
    'never 5xx',
  ],
  ['prototype poisoning', '{"__proto__": {"admin": true}}', 'always 4xx'],
];

describe('bad JSON bodies on every route that takes one', () => {
  let app: TestApp;
  let routes: Route[];
  let user: TestUser;

  beforeAll(async () => {
    app = await createTestApp({ INTROSPECTION_CLIENTS: `api:${'s'.repeat(32)}` });
    routes = registeredRoutes(app).filter(
      (route) => route.takesBody || route.guards.includes(LocalAuthGuard),
    );
    user = await signUp(app);
  });
  afterAll(() => app.close({ removeData: true }));

  it('finds the routes to try', () => {
    expect(routes.map((route) => route.key)).toEqual(
      expect.arrayContaining(['POST /signup', 'POST /login', 'POST /revoke', 'POST /me/password']),
    );
  });

  it.each(BAD_BODIES)(
    'answers %s with a 4xx problem, never a 5xx',
    async (_case, body, expected) => {
      expect(body.length).toBeLessThan(64 * 1024);
      for (const route of routes) {
        // A fresh session each time: a /logout that accepted the body would end the last one.
        const token = await logIn(app, user);
        const [method = '', path = ''] = route.key.split(' ');
        const request = app
          .http()
          [method.toLowerCase() as 'post' | 'patch' | 'put' | 'delete'](
            path.replace(/\{\w+\}/, 'x'),
          )
          .set('Content-Type', 'application/json')
          .set(
            'Authorization',
            path === '/introspect' ? `Basic ${btoa(`api:${'s'.repeat(32)}`)}` : bearer(token),
          );
        const response = await request.send(body);
        expect({ route: route.key, serverError: response.status >= 500 }).toEqual({
          route: route.key,
          serverError: false,
        });
        if (expected === 'never 5xx' && response.status < 400) continue;
        expect({ route: route.key, clientError: response.status >= 400 }).toEqual({
          route: route.key,
          clientError: true,
        });
        expect(response.body).toMatchObject({ type: expect.stringMatching(/^\/problems\//) });
        expect(response.text).not.toMatch(/RangeError|stack|at \S+ \(/);
      }
    },
  );

  it('names the bound when a body nests too deep', async () => {
    const response = await app
      .http()
      .post('/signup')
      .set('Content-Type', 'application/json')
      .send(`{"username": ${deepArray}}`)
      .expect(400);
    expect(response.body).toMatchObject({
      type: '/problems/malformed-request',
      detail: 'The JSON body nests deeper than 16 levels.',
    });
  });
});
