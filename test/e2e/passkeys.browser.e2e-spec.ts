import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { assertChromiumInstalled, browserTestRuns, launchChromium } from '../support/chromium.js';
import { startExample, type ExampleProcess } from '../support/example-process.js';
import { freePort } from '../support/server-process.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, bearer, type TestUser } from '../support/users.factory.js';

const OUTPUT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-output');
const runs = browserTestRuns('passkeys browser test');

const STEP_TIMEOUT_MS = 10_000;
const TEST_TIMEOUT_MS = 90_000;

/** A passkey as the virtual authenticator holds it (`WebAuthn.getCredentials` / `addCredential`). */
interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/** A tab of examples/browser with its own virtual authenticator (one belongs to one page). */
interface Tab {
  readonly page: Page;
  /** Clicks `selector` and answers the first new output line that starts with `action: `. */
  run(selector: string, action?: string): Promise<string>;
  /** Waits for an output line starting with `action: ` that was not there before `since` lines. */
  lineOf(action: string, since: number): Promise<string>;
  lineCount(): Promise<number>;
  credentials(): Promise<VirtualCredential[]>;
  addCredential(credential: VirtualCredential): Promise<void>;
  clearCredentials(): Promise<void>;
}

/**
 * Passkeys on examples/browser in Chromium, with the DevTools protocol's virtual authenticator
 * (CTAP2, internal transport, resident keys, user verification, presence simulated) standing in for
 * a fingerprint reader: the browser runs the real WebAuthn ceremonies (RP id, origin, exclusion),
 * the service checks the answers with @simplewebauthn/server. The page is on
 * http://localhost:<page port> (WEBAUTHN_RP_ID=localhost, the only origin in WEBAUTHN_ORIGINS), the
 * API on http://localhost:<api port>; a second copy of the page on another localhost port is a
 * valid origin for the browser (same RP id) but not for the service.
 */
(runs ? describe : describe.skip)('passkeys on examples/browser, in Chromium', () => {
  let api: TestApp;
  let site: ExampleProcess;
  let otherSite: ExampleProcess;
  let browser: Browser | undefined;
  let pageOrigin: string;
  let otherOrigin: string;
  let apiOrigin: string;

  beforeAll(async () => {
    assertChromiumInstalled('Passkeys browser test');
    site = await startExample('browser/serve.mjs', {});
    otherSite = await startExample('browser/serve.mjs', {});
    pageOrigin = `http://localhost:${new URL(site.url).port}`;
    otherOrigin = `http://localhost:${new URL(otherSite.url).port}`;
    const apiPort = await freePort();
    apiOrigin = `http://localhost:${apiPort}`;
    api = await createTestApp({
      // CORS lets both pages read the answers: the origin check refused is WebAuthn's own.
      CORS_ORIGINS: `${pageOrigin},${otherOrigin}`,
      REFRESH_TOKEN_COOKIE: 'on',
      PUBLIC_URL: apiOrigin,
      WEBAUTHN_RP_ID: 'localhost',
      WEBAUTHN_RP_NAME: 'Passkeys browser test',
      WEBAUTHN_ORIGINS: pageOrigin,
    });
    await api.app.listen(apiPort, '127.0.0.1');
    browser = await launchChromium();
  }, TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await site?.stop();
    await otherSite?.stop();
    await api?.close({ removeData: true });
  }, TEST_TIMEOUT_MS);

  /**
   * A fresh browser context (no cookies) with the page at `origin`; its virtual authenticator is
   * added before the page loads, holding `credentials` (copies of another tab's passkeys).
   */
  async function openTab(origin: string, credentials: VirtualCredential[] = []): Promise<Tab> {
    if (!browser) throw new Error('The browser did not start (see beforeAll)');
    const context = await browser.newContext();
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
        automaticPresenceSimulation: true,
      },
    });
    const addCredential = async (credential: VirtualCredential) => {
      await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    };
    for (const credential of credentials) await addCredential(credential);

    const lines = async () =>
      ((await page.locator('#output').textContent()) ?? '').split('\n').filter(Boolean);
    const lineOf = async (action: string, since: number): Promise<string> => {
      const prefix = JSON.stringify(`${action}: `);
      await page.waitForFunction(
        `document.getElementById('output').textContent.split('\\n').filter(Boolean)` +
          `.slice(${since}).some((line) => line.startsWith(${prefix}))`,
      );
      return (await lines()).slice(since).find((line) => line.startsWith(`${action}: `)) ?? '';
    };
    const tab: Tab = {
      page,
      lineOf,
      lineCount: async () => (await lines()).length,
      async run(selector, action = selector.replace(/^#/, '')) {
        const before = (await lines()).length;
        await page.click(selector);
        return lineOf(action, before);
      },
      async credentials() {
        const { credentials: held } = await cdp.send('WebAuthn.getCredentials', {
          authenticatorId,
        });
        return held;
      },
      addCredential,
      async clearCredentials() {
        await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
      },
    };
    await page.goto(`${origin}/?api=${encodeURIComponent(apiOrigin)}`);
    // Shown once the service answered that passkeys are on.
    await page.locator('#passkey-login').waitFor();
    return tab;
  }

  /** The JSON body of an output line `action: status {…}`. */
  const bodyOf = (line: string): Record<string, unknown> =>
    JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;

  /** Signs up and logs in with a password on the page, as a person would. */
  async function signUpWithPassword(tab: Tab, user: TestUser): Promise<void> {
    await tab.page.fill('#username', user.username);
    await tab.page.fill('#email', user.email);
    await tab.page.fill('#password', user.password);
    expect(await tab.run('#signup')).toMatch(/^signup: 201 /);
    expect(await tab.run('#login')).toMatch(/^login: 200 \{"access_token":/);
  }

  /** Adds a passkey named `name`, confirming with the current password, as the page asks. */
  async function addPasskey(tab: Tab, user: TestUser, name: string): Promise<string> {
    await tab.page.fill('#current-password', user.password);
    await tab.page.fill('#passkey-name', name);
    return tab.run('#add-passkey');
  }

  /** Empties the sign-in fields: a passkey sign-in must not need them. */
  async function clearSignInFields(tab: Tab): Promise<void> {
    for (const id of ['#username', '#email', '#password', '#current-password']) {
      await tab.page.fill(id, '');
    }
  }

  it(
    'signs up with a password, adds a passkey, logs out, and signs back in with it without a username',
    async () => {
      const user = aUser();
      const tab = await openTab(pageOrigin);
      await signUpWithPassword(tab, user);

      const added = await addPasskey(tab, user, 'This laptop');
      expect(added).toMatch(/^add-passkey: 201 /);
      expect(bodyOf(added)).toMatchObject({ name: 'This laptop', last_used_at: null });
      await tab.page.locator('#passkey-list li', { hasText: 'This laptop' }).waitFor();
      // A discoverable credential for RP id localhost, under a random handle, not the username.
      const [credential, ...more] = await tab.credentials();
      expect(more).toEqual([]);
      expect(credential).toMatchObject({ isResidentCredential: true, rpId: 'localhost' });
      expect(Buffer.from(credential!.userHandle ?? '', 'base64').toString()).not.toContain(
        user.username,
      );

      expect(await tab.run('#logout')).toMatch(/^logout: 204/);
      expect(await tab.run('#me')).toMatch(/^me: 401 /);

      await clearSignInFields(tab);
      const signedIn = await tab.run('#passkey-login', 'passkey');
      expect(signedIn).toMatch(/^passkey: 200 \{"access_token":/);
      const me = await tab.run('#me');
      expect(me).toMatch(/^me: 200 /);
      expect(bodyOf(me)).toMatchObject({ username: user.username });
      expect(bodyOf(me).sign_in_methods).toEqual(['password', 'passkey']);
      // How this session was made, in the words of sign_in_methods: on the session and the login.
      const token = String(bodyOf(signedIn).access_token);
      const { body: listed } = await api
        .http()
        .get('/me/sessions')
        .set('authorization', bearer(token))
        .expect(200);
      expect(listed.sessions).toContainEqual(
        expect.objectContaining({ current: true, sign_in_method: 'passkey' }),
      );
      const { body: activity } = await api
        .http()
        .get('/me/activity')
        .set('authorization', bearer(token))
        .expect(200);
      expect(
        activity.events.find((event: { type: string }) => event.type === 'login_succeeded'),
      ).toMatchObject({ session_id: expect.any(String), sign_in_method: 'passkey' });

      // The autofill request started at load was cancelled by the ceremonies the buttons began,
      // quietly: no line for it.
      const output = (await tab.page.locator('#output').textContent()) ?? '';
      expect(output).not.toContain('passkey-autofill');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'lists the passkeys, refuses a second one on the same authenticator, and removes one',
    async () => {
      const user = aUser();
      const tab = await openTab(pageOrigin);
      await signUpWithPassword(tab, user);
      expect(await addPasskey(tab, user, 'First')).toMatch(/^add-passkey: 201 /);

      // The service excludes the account's passkeys; the browser refuses to make another on an
      // authenticator that holds one (WebAuthn L3 §6.3.2 step 3) and the page says so.
      const again = await addPasskey(tab, user, 'Second');
      expect(again).toMatch(
        /^add-passkey: refused by the browser: InvalidStateError \(ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED\)/,
      );
      expect(await tab.credentials()).toHaveLength(1);
      const listed = await tab.run('#list-passkeys');
      expect(listed).toMatch(/^list-passkeys: 200 /);
      expect(bodyOf(listed).passkeys).toEqual([expect.objectContaining({ name: 'First' })]);
      expect(await tab.page.locator('#passkey-list li').count()).toBe(1);
      await mkdir(OUTPUT_DIR, { recursive: true });
      await tab.page.screenshot({ path: join(OUTPUT_DIR, 'passkeys-page.png'), fullPage: true });

      // The wrong current password is refused before the browser is asked.
      await tab.page.fill('#current-password', `${user.password}-wrong`);
      const wrong = await tab.run('#add-passkey');
      expect(wrong).toMatch(/^add-passkey: 403 /);
      expect(bodyOf(wrong)).toMatchObject({ type: '/problems/wrong-password' });
      expect(await tab.credentials()).toHaveLength(1);

      // Remove it from the list: gone from the page and the service, and it no longer signs in
      // although the authenticator still holds it.
      const before = await tab.lineCount();
      await tab.page.locator('#passkey-list li', { hasText: 'First' }).getByRole('button').click();
      expect(await tab.lineOf('remove-passkey', before)).toMatch(/^remove-passkey: 204/);
      await tab.page.locator('#passkey-list li').waitFor({ state: 'detached' });
      expect(await tab.run('#logout')).toMatch(/^logout: 204/);
      await clearSignInFields(tab);
      const refused = await tab.run('#passkey-login', 'passkey');
      expect(refused).toMatch(/^passkey: 401 /);
      expect(bodyOf(refused)).toMatchObject({ error: 'invalid_grant' });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'offers the passkey in the username field’s autofill (conditional mediation)',
    async () => {
      const user = aUser();
      const tab = await openTab(pageOrigin);
      await signUpWithPassword(tab, user);
      expect(await addPasskey(tab, user, 'Autofill')).toMatch(/^add-passkey: 201 /);

      // A new tab holding the passkey: at load the page starts a conditional request, and the
      // virtual authenticator answers it as a person picking the passkey from autofill would.
      const fresh = await openTab(pageOrigin, await tab.credentials());
      const signedIn = await fresh.lineOf('passkey-autofill', 0);
      expect(signedIn).toMatch(/^passkey-autofill: 200 \{"access_token":/);
      expect(await fresh.page.inputValue('#username')).toBe('');
      const me = await fresh.run('#me');
      expect(bodyOf(me)).toMatchObject({ username: user.username });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses a page on an origin outside WEBAUTHN_ORIGINS, which the browser itself accepts',
    async () => {
      const user = aUser();
      const home = await openTab(pageOrigin);
      await signUpWithPassword(home, user);
      expect(await addPasskey(home, user, 'Home')).toMatch(/^add-passkey: 201 /);
      const [passkey] = await home.credentials();

      // The other origin: same RP id (localhost), so the browser runs the ceremonies; the
      // service refuses their answers, whose clientDataJSON names that origin.
      const other = await openTab(otherOrigin);
      await other.page.fill('#username', user.username);
      await other.page.fill('#password', user.password);
      expect(await other.run('#login')).toMatch(/^login: 200 /);
      const registered = await addPasskey(other, user, 'Elsewhere');
      expect(registered).toMatch(/^add-passkey: 400 /);
      expect(bodyOf(registered)).toMatchObject({
        type: '/problems/invalid-passkey-registration',
      });
      expect(await other.run('#logout')).toMatch(/^logout: 204/);

      // Only the home page's passkey on the other page's authenticator: the browser signs with
      // it, the service refuses.
      await other.clearCredentials();
      await other.addCredential(passkey!);
      await clearSignInFields(other);
      const refused = await other.run('#passkey-login', 'passkey');
      expect(refused).toMatch(/^passkey: 401 /);
      expect(bodyOf(refused)).toMatchObject({ error: 'invalid_grant' });

      // The same passkey from the listed origin signs in: the origin was the difference.
      expect(await home.run('#logout')).toMatch(/^logout: 204/);
      expect(await home.run('#passkey-login', 'passkey')).toMatch(
        /^passkey: 200 \{"access_token":/,
      );
    },
    TEST_TIMEOUT_MS,
  );
});
