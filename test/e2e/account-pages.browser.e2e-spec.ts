import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type Page } from 'playwright-core';
import { assertChromiumInstalled, browserTestRuns, launchChromium } from '../support/chromium.js';
import { freePort } from '../support/server-process.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { signUp, type TestUser } from '../support/users.factory.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUTPUT_DIR = join(ROOT, 'test-output');
const runs = browserTestRuns('account pages browser test');

const STEP_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 60_000;

/**
 * A real browser opens the reset link from a mail the test's SMTP server received, types a new
 * password twice and submits; the new password then logs in. Everything the page loads or calls
 * stays on the service's origin, under its CSP.
 */
(runs ? describe : describe.skip)('the password reset page in a browser', () => {
  let sink: SmtpSink;
  let testApp: TestApp;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let origin: string;
  let user: TestUser;
  const requested: string[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    assertChromiumInstalled('Account pages browser test');
    sink = await new SmtpSink().start();
    // The links must point at where the browser reaches us: pick the port first.
    const port = await freePort();
    testApp = await createTestApp({ SMTP_URL: sink.url, PUBLIC_URL: `http://127.0.0.1:${port}` });
    await testApp.app.listen(port, '127.0.0.1');
    origin = `http://127.0.0.1:${port}`;
    user = await signUp(testApp);
    await mkdir(OUTPUT_DIR, { recursive: true });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await testApp?.close({ removeData: true });
    await sink?.close();
  }, TEST_TIMEOUT_MS);

  const ui = (): Page => {
    if (!page) throw new Error('The browser did not start (see beforeAll)');
    return page;
  };

  it(
    'opens the mailed link, sets a new password typed twice, and the new password logs in',
    async () => {
      await testApp.http().post('/password/forgot').send({ email: user.email }).expect(202);
      const mail = await sink.waitFor(user.email, /Reset your password/);
      expect(mail.link).toMatch(new RegExp(`^${origin}/password/reset#token=`));

      await ui().goto(mail.link!);
      // The page drops the token from the address bar once read.
      await ui().locator('#new-password').waitFor();
      expect(ui().url()).toBe(`${origin}/password/reset`);

      // A mismatch is caught on the page; a too-short password by the API, its detail shown.
      await ui().locator('#new-password').fill('first attempt 1');
      await ui().locator('#confirm-password').fill('first attempt 2');
      await ui().locator('#submit').click();
      await expect(ui().locator('#message').innerText()).resolves.toMatch(/differ/);
      await ui().locator('#new-password').fill('short');
      await ui().locator('#confirm-password').fill('short');
      await ui().locator('#submit').click();
      await ui().locator('#message.error', { hasText: 'at least 8 characters' }).waitFor();

      const newPassword = `${user.password}-from-the-browser`;
      await ui().locator('#new-password').fill(newPassword);
      await ui().locator('#confirm-password').fill(newPassword);
      await ui().locator('#submit').click();
      await ui().locator('#message.success').waitFor();
      expect(await ui().locator('#message').innerText()).toMatch(/password is changed/);
      await ui().screenshot({ path: join(OUTPUT_DIR, 'password-reset-page.png') });

      await testApp
        .http()
        .post('/login')
        .send({ username: user.username, password: newPassword })
        .expect(200);
      await testApp.http().post('/login').send(user).expect(401);
    },
    TEST_TIMEOUT_MS,
  );

  it('requested nothing outside the service’s origin, and broke no CSP rule', () => {
    expect(requested).toContain(`${origin}/pages/account-pages.js`);
    expect(requested).toContain(`${origin}/password/reset`);
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(consoleErrors.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  });
});
