import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type Browser, type Locator, type Page, type Request } from 'playwright-core';
import { assertChromiumInstalled, browserTestRuns, launchChromium } from '../support/chromium.js';
import { signUpAdmin } from '../support/admins.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import type { TestUser } from '../support/users.factory.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** CI keeps this directory as an artefact: swagger-ui.png, plus one picture per step. */
const OUTPUT_DIR = join(ROOT, 'test-output');

const runs = browserTestRuns('Swagger UI browser test');

/** Everything is local: a UI step that takes this long has failed. */
const STEP_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 60_000;

/** Swagger UI renders each operation as `#operations-<tag>-<operationId>`. */
interface Operation {
  readonly tag: string;
  readonly id: string;
  readonly method: string;
  readonly path: string;
}
const PROTECTED: Operation = {
  tag: 'protected',
  id: 'ProtectedController_greet',
  method: 'GET',
  path: '/protected',
};
const ME: Operation = {
  tag: 'account',
  id: 'AccountController_profile',
  method: 'GET',
  path: '/me',
};
const ADMIN_USERS: Operation = {
  tag: 'admin',
  id: 'AdminUsersController_list',
  method: 'GET',
  path: '/admin/users',
};
const LOGIN: Operation = {
  tag: 'auth',
  id: 'AuthController_login',
  method: 'POST',
  path: '/login',
};
const REFRESH: Operation = {
  tag: 'auth',
  id: 'AuthController_refresh',
  method: 'POST',
  path: '/refresh',
};

interface Execution {
  /** The status and body as the response panel renders them. */
  readonly status: string;
  readonly body: string;
  /** The request the browser sent. */
  readonly request: Request;
}

interface Tokens {
  readonly access_token: string;
  readonly token_type: string;
  readonly refresh_token: string;
}

/**
 * A real browser drives Swagger UI at /docs against the real app: Authorize with the OAuth2
 * password flow (tokenUrl /login), call protected routes, log in and refresh through "Try it out",
 * and check that the page never reaches beyond the service's own origin (no CDN, no validator).
 * The tests run in order on one page, as a user would.
 */
(runs ? describe : describe.skip)('Swagger UI in a browser', () => {
  let testApp: TestApp;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let origin: string;
  let user: TestUser;
  const requested: string[] = [];

  beforeAll(async () => {
    assertChromiumInstalled('Swagger UI browser test');
    testApp = await createTestApp();
    await testApp.app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${new URL(await testApp.app.getUrl()).port}`;
    // An admin: the token Authorize obtains carries the role, so the admin API answers too.
    user = await signUpAdmin(testApp);
    await mkdir(OUTPUT_DIR, { recursive: true });

    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    page = await context.newPage();
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith('data:') && !url.startsWith('blob:')) requested.push(url);
    });
    await page.goto(`${origin}/docs`);
    await page.locator(`#operations-${PROTECTED.tag}-${PROTECTED.id}`).waitFor();
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    try {
      await page?.screenshot({ path: join(OUTPUT_DIR, 'swagger-ui.png'), fullPage: true });
    } finally {
      await browser?.close();
      await testApp?.close({ removeData: true });
    }
  }, TEST_TIMEOUT_MS);

  const ui = (): Page => {
    if (!page) throw new Error('The browser did not start (see beforeAll)');
    return page;
  };

  const picture = (element: Locator, name: string): Promise<Buffer> =>
    element.screenshot({ path: join(OUTPUT_DIR, `swagger-ui-${name}.png`) });

  /** The operation's block, expanded. */
  async function expand(operation: Operation): Promise<Locator> {
    const block = ui().locator(`#operations-${operation.tag}-${operation.id}`);
    const control = block.locator('.opblock-summary-control');
    if ((await control.getAttribute('aria-expanded')) !== 'true') await control.click();
    await block.locator('.opblock-body').waitFor();
    return block;
  }

  /** Try it out, with a JSON body if given, then Execute; answers what the panel renders. */
  async function tryItOut(operation: Operation, jsonBody?: object): Promise<Execution> {
    const block = await expand(operation);
    await block.locator('.try-out__btn').click();
    if (jsonBody) {
      // These routes also take the OAuth2 form: make sure the JSON editor is the one shown.
      await block.locator('.opblock-section-request-body select').selectOption('application/json');
      await block.locator('textarea.body-param__text').fill(JSON.stringify(jsonBody));
    }
    const [request] = await Promise.all([
      ui().waitForRequest(
        // Swagger UI fills in documented defaults (such as `limit`): compare without the query.
        (sent) =>
          sent.method() === operation.method &&
          sent.url().split('?')[0] === `${origin}${operation.path}`,
      ),
      block.locator('.execute').click(),
    ]);
    const row = block.locator('.live-responses-table .response');
    await row.waitFor();
    return {
      status: (await row.locator('.response-col_status').innerText()).trim(),
      body: await row.locator('.response-col_description .highlight-code pre').innerText(),
      request,
    };
  }

  it(
    'authorizes with the OAuth2 password flow against /login',
    async () => {
      await ui().locator('.scheme-container .btn.authorize').click();
      const dialog = ui().locator('.modal-ux');
      // The OAuth2 scheme's part of the dialog (the plain "bearer" scheme has its own).
      const oauth2 = dialog.locator('.auth-container', {
        has: ui().locator('h4', { hasText: 'oauth2 (OAuth2, password)' }),
      });
      await oauth2.locator('#oauth_username').fill(user.username);
      await oauth2.locator('#oauth_password').fill(user.password);
      const [tokenRequest] = await Promise.all([
        ui().waitForRequest((sent) => sent.url() === `${origin}/login`),
        oauth2.locator('.auth-btn-wrapper .modal-btn.authorize').click(),
      ]);
      expect(tokenRequest.postDataJSON()).toMatchObject({
        grant_type: 'password',
        username: user.username,
      });

      // Authorized: the form gives way to "Authorized" and a Logout button.
      await oauth2.getByRole('button', { name: 'Remove authorization' }).waitFor();
      expect(await oauth2.locator('h6').innerText()).toBe('Authorized');
      await picture(dialog.locator('.modal-ux-inner'), '1-authorized');
      await oauth2.locator('.btn-done').click();
      await dialog.waitFor({ state: 'detached' });
      // The top button's padlock closes too.
      await ui().locator('.scheme-container .btn.authorize.locked').waitFor();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'calls GET /protected with the token it obtained',
    async () => {
      const { status, body, request } = await tryItOut(PROTECTED);
      expect(await request.headerValue('authorization')).toMatch(/^Bearer \S+$/);
      expect(status).toBe('200');
      expect(JSON.parse(body)).toEqual({
        message: `Hello ${user.username}, welcome to the protected route!`,
      });
      await picture(ui().locator(`#operations-${PROTECTED.tag}-${PROTECTED.id}`), '2-protected');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'calls GET /me with the token it obtained',
    async () => {
      const { status, body } = await tryItOut(ME);
      expect(status).toBe('200');
      expect(JSON.parse(body)).toMatchObject({ username: user.username, email: user.email });
      await picture(ui().locator(`#operations-${ME.tag}-${ME.id}`), '3-me');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'calls the admin API, GET /admin/users, as the admin it authorized as',
    async () => {
      const { status, body, request } = await tryItOut(ADMIN_USERS);
      expect(await request.headerValue('authorization')).toMatch(/^Bearer \S+$/);
      // No example is filled into the filters, so "Try it out" lists everyone.
      expect(new URL(request.url()).searchParams.has('q')).toBe(false);
      expect(status).toBe('200');
      const page = JSON.parse(body) as { users: { username: string; roles: string[] }[] };
      expect(page.users).toContainEqual(
        expect.objectContaining({ username: user.username, roles: ['user', 'admin'] }),
      );
      await picture(ui().locator(`#operations-${ADMIN_USERS.tag}-${ADMIN_USERS.id}`), '4-admin');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'logs in, then refreshes, through "Try it out" with JSON bodies',
    async () => {
      const login = await tryItOut(LOGIN, { username: user.username, password: user.password });
      expect(await login.request.headerValue('content-type')).toMatch(/^application\/json/);
      expect(login.status).toBe('200');
      const { refresh_token: spent } = JSON.parse(login.body) as Tokens;
      expect(spent).toEqual(expect.any(String));

      const refresh = await tryItOut(REFRESH, { refresh_token: spent });
      expect(await refresh.request.headerValue('content-type')).toMatch(/^application\/json/);
      expect(refresh.status).toBe('200');
      const tokens = JSON.parse(refresh.body) as Tokens;
      expect(tokens).toMatchObject({
        access_token: expect.any(String),
        token_type: 'bearer',
        refresh_token: expect.any(String),
      });
      expect(tokens.refresh_token).not.toBe(spent);
      await picture(ui().locator(`#operations-${REFRESH.tag}-${REFRESH.id}`), '5-refresh');
    },
    TEST_TIMEOUT_MS,
  );

  it('loaded everything from the service itself: no CDN, no third party', () => {
    expect(requested).toContain(`${origin}/docs/swagger-ui-bundle.js`);
    expect(requested.filter((url) => new URL(url).origin !== origin)).toEqual([]);
  });
});
