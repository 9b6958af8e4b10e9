import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { assertChromiumInstalled, browserTestRuns, launchChromium } from '../support/chromium.js';
import { startExample, type ExampleProcess } from '../support/example-process.js';
import { freePort } from '../support/server-process.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser } from '../support/users.factory.js';

const runs = browserTestRuns('browser example test');

const STEP_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 60_000;

/**
 * examples/browser, served on http://localhost:<page port>, drives the service on
 * http://localhost:<api port> (another origin, the same site) with CORS_ORIGINS and
 * REFRESH_TOKEN_COOKIE=on: sign up, log in, /protected, refresh through the cookie, log out. Page
 * script must never see the refresh token: not in document.cookie, not in any body it reads.
 */
(runs ? describe : describe.skip)('examples/browser in Chromium', () => {
  let api: TestApp;
  let site: ExampleProcess;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  let apiOrigin: string;
  let passkeyOptions: Promise<Response>;
  const bodies: Promise<string>[] = [];
  const user = aUser();

  beforeAll(async () => {
    assertChromiumInstalled('Browser example test');
    site = await startExample('browser/serve.mjs', {});
    const pageOrigin = `http://localhost:${new URL(site.url).port}`;
    const apiPort = await freePort();
    apiOrigin = `http://localhost:${apiPort}`;
    api = await createTestApp({
      CORS_ORIGINS: pageOrigin,
      REFRESH_TOKEN_COOKIE: 'on',
      PUBLIC_URL: apiOrigin,
    });
    await api.app.listen(apiPort, '127.0.0.1');
    browser = await launchChromium();
    context = await browser.newContext();
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    // Every body the page received from the API: what its script could have read.
    page.on('response', (response) => {
      if (!response.url().startsWith(apiOrigin)) return;
      bodies.push(response.text().catch(() => ''));
    });
    passkeyOptions = page.waitForResponse(`${apiOrigin}/login/passkey/options`);
    await page.goto(`${pageOrigin}/?api=${encodeURIComponent(apiOrigin)}`);
    await page.fill('#username', user.username);
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await api?.close({ removeData: true });
  });

  /** Clicks a button and waits for the line the page prints for it. */
  async function run(action: string): Promise<string> {
    const lines = () => page.locator('#output').textContent();
    const before = ((await lines()) ?? '').split('\n').filter(Boolean).length;
    await page.click(`#${action}`);
    await page.waitForFunction(
      `document.getElementById('output').textContent.split('\\n').filter(Boolean).length > ${before}`,
    );
    return ((await lines()) ?? '').split('\n').filter(Boolean)[before] ?? '';
  }

  const refreshCookie = async () =>
    (await context.cookies(`${apiOrigin}/refresh`)).find(
      (cookie) => cookie.name === 'refresh_token',
    );

  it('keeps its passkey buttons hidden, and says nothing, while the service has passkeys off', async () => {
    // WEBAUTHN_RP_ID is unset: the sign-in options answer 404 and the page stays as it was.
    expect((await passkeyOptions).status()).toBe(404);
    expect(await page.locator('#passkeys-section').isHidden()).toBe(true);
    expect(await page.locator('#output').textContent()).not.toContain('passkey');
  });

  it(
    'signs up, logs in, calls /protected, refreshes through the cookie and logs out',
    async () => {
      expect(await run('signup')).toMatch(/^signup: 201 /);
      expect(await run('login')).toMatch(/^login: 200 \{"access_token":/);
      const first = await refreshCookie();
      expect(first).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/refresh' });
      expect(await run('protected')).toMatch(/^protected: 200 /);

      expect(await run('refresh')).toMatch(/^refresh: 200 \{"access_token":/);
      const second = await refreshCookie();
      expect(second?.value).toEqual(expect.any(String));
      expect(second?.value).not.toBe(first?.value);
      expect(await run('protected')).toMatch(/^protected: 200 /);

      // Neither token value ever reached page script.
      const seen = [
        await page.evaluate<string>('document.cookie'),
        await page.evaluate<string>('JSON.stringify({ ...localStorage, ...sessionStorage })'),
        (await page.locator('#output').textContent()) ?? '',
        ...(await Promise.all(bodies)),
      ].join('\n');
      expect(seen).not.toContain('refresh_token');
      for (const cookie of [first, second]) expect(seen).not.toContain(cookie?.value);

      expect(await run('logout')).toMatch(/^logout: 204/);
      expect(await refreshCookie()).toBeUndefined();
      expect(await run('protected')).toMatch(/^protected: 401 /);
      expect(await run('refresh')).toMatch(/^refresh: 422 /);
    },
    TEST_TIMEOUT_MS,
  );
});
