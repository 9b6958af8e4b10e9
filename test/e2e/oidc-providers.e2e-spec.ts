import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OidcProvidersService } from '../../src/auth/oidc/oidc-providers.service.js';
import {
  freeLoopbackPort,
  startTestProvider,
  type TestProvider,
} from '../support/oidc-provider.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const PUBLIC_URL = 'http://127.0.0.1:8123';

describe('GET /oauth/providers and the providers’ discovery in the running app', () => {
  let provider: TestProvider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await startTestProvider({
      accounts: [],
      clients: [
        {
          client_id: 'auth-service',
          client_secret: 'acme-secret',
          redirect_uris: [`${PUBLIC_URL}/oauth/acme/callback`],
        },
      ],
    });
    app = await createTestApp({
      PUBLIC_URL,
      OIDC_PROVIDERS: 'acme,gone',
      OIDC_ACME_ISSUER: provider.issuer,
      OIDC_ACME_CLIENT_ID: 'auth-service',
      OIDC_ACME_CLIENT_SECRET: 'acme-secret',
      OIDC_ACME_NAME: 'Acme Corp',
      // Nothing listens there: a provider that is down at start.
      OIDC_GONE_ISSUER: `http://127.0.0.1:${await freeLoopbackPort()}`,
      OIDC_GONE_CLIENT_ID: 'auth-service',
      OIDC_GONE_CLIENT_SECRET: 'gone-secret',
    });
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await provider.stop();
  });

  it('lists every configured provider for a page’s buttons, without a token', async () => {
    const response = await app.http().get('/oauth/providers').expect(200);
    expect(response.body).toEqual({
      providers: [
        { id: 'acme', name: 'Acme Corp' },
        { id: 'gone', name: 'gone' },
      ],
    });
  });

  it('discovers the reachable provider, and stays ready while another is down', async () => {
    const providers = app.app.get(OidcProvidersService);
    while (!providers.isAvailable('acme')) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(providers.isAvailable('gone')).toBe(false);
    const ready = await app.http().get('/health/ready').expect(200);
    expect(ready.body).toEqual(expect.objectContaining({ status: 'ok' }));
  });

  it('lists none when OIDC_PROVIDERS is not set', async () => {
    const plain = await createTestApp();
    try {
      const response = await plain.http().get('/oauth/providers').expect(200);
      expect(response.body).toEqual({ providers: [] });
    } finally {
      await plain.close({ removeData: true });
    }
  });
});
