import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type Page } from 'playwright-core';
import { assertChromiumInstalled, browserTestRuns, launchChromium } from '../support/chromium.js';
import { startExample, type ExampleProcess } from '../support/example-process.js';
import { createTestProvider, type TestProvider } from '../support/oidc-provider.js';
import { freePort } from '../support/server-process.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const runs = browserTestRuns('provider sign-in browser test');

const STEP_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 60_000;

/**
 * examples/browser signs in through an OpenID provider in Chromium: the page draws its buttons
 * from /oauth/providers, makes the PKCE pair itself, goes through the provider's own login and
 * consent pages, and exchanges the code at /login. The provider is on another site
 * (http://127.0.0.1:<port>) than the API and the page (http://localhost:<port>), so its redirect
 * back to /oauth/acme/callback is a cross-site navigation: the flow cookie must be SameSite=Lax
 * to come along, and it does only because it is.
 */
(runs ? describe : describe.skip)('sign-in through a provider, in Chromium', () => {
  let provider: TestProvider;
  let api: TestApp;
  let site: ExampleProcess;
  let browser: Browser | undefined;
  let page: Page;
  let pageOrigin: string;
  let apiOrigin: string;

  beforeAll(async () => {
    assertChromiumInstalled('Provider sign-in browser test');
    site = await startExample('browser/serve.mjs', {});
    pageOrigin = `http://localhost:${new URL(site.url).port}`;
    const apiPort = await freePort();
    apiOrigin = `http://localhost:${apiPort}`;
    provider = await createTestProvider({
      accounts: [
        { sub: 'ada-1', email: 'ada@example.net', email_verified: true, preferred_username: 'ada' },
      ],
      clients: [
        {
          client_id: 'auth-service',
          client_secret: 'a-test-client-secret-for-the-browser-test',
          redirect_uris: [`${apiOrigin}/oauth/acme/callback`],
        },
      ],
    });
    await provider.start();
    api = await createTestApp({
      CORS_ORIGINS: pageOrigin,
      REFRESH_TOKEN_COOKIE: 'on',
      PUBLIC_URL: apiOrigin,
      OIDC_PROVIDERS: 'acme',
      OIDC_ACME_NAME: 'Acme ID',
      OIDC_ACME_ISSUER: provider.issuer,
      OIDC_ACME_CLIENT_ID: 'auth-service',
      OIDC_ACME_CLIENT_SECRET: 'a-test-client-secret-for-the-browser-test',
      LOGIN_REDIRECT_URIS: `${pageOrigin}/`,
    });
    await api.app.listen(apiPort, '127.0.0.1');
    browser = await launchChromium();
    const context = await browser.newContext();
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await api?.close({ removeData: true });
    await provider?.stop();
  });

  const output = async () =>
    ((await page.locator('#output').textContent()) ?? '').split('\n').filter(Boolean);

  it(
    'shows the providers, signs in on the provider’s own pages, and reaches GET /me',
    async () => {
      await page.goto(`${pageOrigin}/?api=${encodeURIComponent(apiOrigin)}`);
      await page.click('#provider-acme');

      // The provider's own login page (oidc-provider's development interactions), then consent.
      await page.waitForURL((url) => url.origin === provider.issuer);
      await page.fill('input[name="login"]', 'ada-1');
      await page.fill('input[name="password"]', 'any');
      await page.click('button[type="submit"]');
      await page.waitForSelector('input[name="prompt"][value="consent"]', { state: 'attached' });
      await page.click('button[type="submit"]');

      // Back on the page, which exchanged the code (PKCE verifier from its own sessionStorage).
      await page.waitForURL((url) => url.origin === pageOrigin);
      await page.waitForFunction(
        `document.getElementById('output').textContent.includes('provider: ')`,
      );
      expect((await output()).find((line) => line.startsWith('provider: '))).toMatch(
        /^provider: 200 \{"access_token":/,
      );
      expect(page.url()).toBe(`${pageOrigin}/`);

      await page.click('#me');
      await page.waitForFunction(`document.getElementById('output').textContent.includes('me: ')`);
      const me = (await output()).find((line) => line.startsWith('me: ')) ?? '';
      expect(me).toMatch(/^me: 200 /);
      expect(JSON.parse(me.slice('me: 200 '.length))).toMatchObject({
        username: 'ada',
        email: 'ada@example.net',
      });
    },
    TEST_TIMEOUT_MS,
  );
});
