import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/test-app.js';

const PROBLEM_KEYS = ['detail', 'status', 'title', 'type'];
const PROBLEM_JSON = 'application/problem+json; charset=utf-8';
/** RFC 6749 §5.2: the OAuth2 endpoints serve the same body as application/json. */
const OAUTH_JSON = 'application/json; charset=utf-8';
const contentTypeOf = (path: string) => (path === '/login' ? OAUTH_JSON : PROBLEM_JSON);

describe('errors are RFC 9457 problem details, never a 5xx or a library message', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  const expectProblem = (
    response: { status: number; headers: Record<string, string>; body: Record<string, unknown> },
    status: number,
    type: string,
    contentType = PROBLEM_JSON,
  ): void => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toBe(contentType);
    expect(response.body).toMatchObject({ status, type });
    expect(Object.keys(response.body)).toEqual(expect.arrayContaining(PROBLEM_KEYS));
    const text = JSON.stringify(response.body);
    expect(text).not.toMatch(/FST_|Unexpected token|SyntaxError|at \S+ \(|node_modules/);
  };

  it.each(['/signup', '/login'])('answers malformed JSON on %s with 400', async (path) => {
    const response = await app
      .http()
      .post(path)
      .set('Content-Type', 'application/json')
      .send('{"username": "john", ');
    expectProblem(response, 400, '/problems/malformed-request', contentTypeOf(path));
  });

  it('answers an empty JSON body with 400', async () => {
    const response = await app
      .http()
      .post('/signup')
      .set('Content-Type', 'application/json')
      .send('');
    expectProblem(response, 400, '/problems/malformed-request');
  });

  it.each([
    ['an array', '[]'],
    ['a string', '"john"'],
    ['null', 'null'],
    ['a number', '42'],
  ])('answers a JSON body that is %s with 422', async (_case, body) => {
    const response = await app
      .http()
      .post('/signup')
      .set('Content-Type', 'application/json')
      .send(body);
    expectProblem(response, 422, '/problems/validation-error');
  });

  it('answers a body over 64 KB with 413', async () => {
    const response = await app
      .http()
      .post('/signup')
      .send({ username: 'john', email: 'john@example.com', password: 'x'.repeat(70 * 1024) });
    expectProblem(response, 413, '/problems/payload-too-large');
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await app
      .http()
      .post('/signup')
      .set('Content-Type', 'text/plain')
      .send('username=john');
    expectProblem(response, 415, '/problems/unsupported-media-type');
  });

  it('answers an unknown route with 404', async () => {
    const response = await app.http().get('/nope');
    expectProblem(response, 404, '/problems/not-found');
  });

  it('answers what the router refuses (a malformed URL, an over-long parameter) the same way', async () => {
    const longId = 'a'.repeat(300);
    const tooLong = await app.http().delete(`/me/sessions/${longId}`);
    expectProblem(tooLong, 414, '/problems/uri-too-long');
    const malformed = await app.http().get('/me/sessions/%E0%A4%A');
    expectProblem(malformed, 400, '/problems/bad-request');
    for (const response of [tooLong, malformed]) {
      // Our headers and request id too; and the path, which may hold a token, is not echoed.
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.body.request_id).toBe(response.headers['x-request-id']);
      expect(response.text).not.toContain(longId);
      expect(response.text).not.toContain('%E0');
    }
  });

  it('answers a wrongly typed field with 422, not a crash', async () => {
    const response = await app
      .http()
      .post('/login')
      .send({ username: { $ne: null }, password: ['a'] });
    expectProblem(response, 422, '/problems/validation-error', OAUTH_JSON);
  });
});
