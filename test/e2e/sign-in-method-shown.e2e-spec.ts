import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signUpAdmin } from '../support/admins.js';
import {
  createFederatedApp,
  exchangeCode,
  PROVIDER_CLIENT,
  signInThroughProvider,
} from '../support/federated-sign-in.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';
import type { TestApp } from '../support/test-app.js';
import { aUser, bearer, logIn, signUp } from '../support/users.factory.js';

interface Shown {
  readonly type: string;
  readonly sign_in_method: string | null;
  readonly provider: string | null;
  readonly user_id?: string | null;
}

/**
 * Issue 25: how each login was made is shown wherever a user or an admin looks at logins — the
 * account's activity, the admin's audit log and the account's sessions — in the words `GET /me`
 * uses for the ways to sign in (`password`, `oidc:<provider id>`).
 */
describe('The sign-in method, shown in /me/activity, /admin/audit and /me/sessions', () => {
  let provider: TestProvider;
  let app: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    provider = await startTestProvider({ accounts: [], clients: [PROVIDER_CLIENT] });
    app = await createFederatedApp(provider);
    adminToken = await logIn(app, await signUpAdmin(app));
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await provider.stop();
  });

  const get = (path: string, token: string) =>
    app.http().get(path).set('Authorization', bearer(token)).expect(200);

  it('a password login reads `password` in all three places; other events read null', async () => {
    const token = await logIn(app, await signUp(app, aUser()));

    const activity = (await get('/me/activity', token)).body.events as Shown[];
    expect(activity.find((event) => event.type === 'login_succeeded')?.sign_in_method).toBe(
      'password',
    );
    expect(activity.find((event) => event.type === 'signup')?.sign_in_method).toBe('password');
    expect(
      activity.find((event) => event.type === 'email_verification_sent')?.sign_in_method,
    ).toBeNull();

    const sessions = (await get('/me/sessions', token)).body.sessions as {
      sign_in_method: string;
    }[];
    expect(sessions.map((session) => session.sign_in_method)).toEqual(['password']);
  });

  it('a provider sign-in reads `oidc:<provider id>` in all three places', async () => {
    const sub = `sub-shown-${Date.now()}`;
    const account = {
      sub,
      email: `${sub}@example.com`,
      email_verified: true,
      preferred_username: sub.replace(/-/g, ''),
    };
    provider.setAccount(account);
    const signIn = await signInThroughProvider(app, provider, sub);
    const tokens = await exchangeCode(
      app,
      signIn.redirect.searchParams.get('code') ?? '',
      signIn.pkce.verifier,
    ).expect(200);
    const token = tokens.body.access_token as string;
    const me = (await get('/me', token)).body as { id: string };

    const activity = (await get('/me/activity', token)).body.events as Shown[];
    expect(
      activity
        .filter((event) => event.type === 'signup' || event.type === 'login_succeeded')
        .map((event) => [event.type, event.sign_in_method]),
    ).toEqual([
      ['login_succeeded', 'oidc:acme'],
      ['signup', 'oidc:acme'],
    ]);
    expect(activity.filter((event) => event.provider !== null).map((event) => event.type)).toEqual([
      'login_succeeded',
      'signup',
    ]);

    const audit = (await get(`/admin/audit?user_id=${me.id}&type=login_succeeded`, adminToken)).body
      .events as Shown[];
    expect(audit.map((event) => [event.sign_in_method, event.provider])).toEqual([
      ['oidc:acme', 'acme'],
    ]);

    const sessions = (await get('/me/sessions', token)).body.sessions as {
      sign_in_method: string;
    }[];
    expect(sessions.map((session) => session.sign_in_method)).toEqual(['oidc:acme']);
  });
});
