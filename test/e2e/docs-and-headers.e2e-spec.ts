import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('security headers, health and API docs', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  it('GET /health answers {"status":"ok"} without a token', async () => {
    const response = await app.http().get('/health').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('sends hardening headers on every response, errors included', async () => {
    for (const path of ['/health', '/protected', '/nope']) {
      const response = await app.http().get(path);
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['content-security-policy']).toContain("default-src 'self'");
      expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(response.headers['x-frame-options']).toBeDefined();
      expect(response.headers['referrer-policy']).toBe('no-referrer');
    }
  });

  it('serves Swagger UI at /docs from its own origin', async () => {
    const page = await app.http().get('/docs').expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const assets = [...page.text.matchAll(/(?:src|href)=['"]([^'"]+)['"]/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) expect(asset).not.toMatch(/^(https?:)?\/\//);
    await app.http().get('/docs/swagger-ui-bundle.js').expect(200);
    const init = await app.http().get('/docs/swagger-ui-init.js').expect(200);
    expect(init.text).toContain('"validatorUrl": null');
  });

  it('publishes the OpenAPI document at /docs-json with the OAuth2 password flow on /login', async () => {
    const { body: doc } = await app.http().get('/docs-json').expect(200);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/signup',
        '/login',
        '/refresh',
        '/logout',
        '/logout/all',
        '/me',
        '/me/password',
        '/me/sessions',
        '/me/sessions/{id}',
        '/protected',
        '/health',
        '/health/ready',
        '/.well-known/jwks.json',
      ]),
    );
    expect(doc.components.securitySchemes.oauth2.flows.password.tokenUrl).toBe('/login');
    expect(Object.keys(doc.paths['/login'].post.requestBody.content)).toEqual(
      expect.arrayContaining(['application/json', 'application/x-www-form-urlencoded']),
    );
    expect(Object.keys(doc.paths['/protected'].get.responses)).toEqual(
      expect.arrayContaining(['200', '401']),
    );
    expect(doc.components.schemas.SignupDto.properties.password).toMatchObject({
      minLength: 8,
      maxLength: 72,
    });
  });
});
