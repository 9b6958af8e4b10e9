import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { Database } from '../../src/database/database.js';
import { IdentitiesRepository } from '../../src/identities/identities.repository.js';
import { UsersService } from '../../src/users/users.service.js';
import { idOf, signUpAdmin } from '../support/admins.js';
import {
  APP_REDIRECT_URI,
  createFederatedApp,
  FEDERATED_PUBLIC_URL,
  flowCookie,
  pkce,
  PROVIDER_CLIENT,
  signInThroughProvider,
} from '../support/federated-sign-in.js';
import {
  startTestProvider,
  type TestAccount,
  type TestProvider,
} from '../support/oidc-provider.js';
import type { TestApp } from '../support/test-app.js';
import { aUser, signUp } from '../support/users.factory.js';

let accounts = 0;
/** A fresh provider account each call, so tests never share identities. */
function anAccount(overrides: Partial<TestAccount> = {}): TestAccount {
  accounts++;
  const name = `fed${accounts}${Math.random().toString(36).slice(2, 8)}`;
  return {
    sub: `sub-${name}`,
    email: `${name}@example.com`,
    email_verified: true,
    preferred_username: name,
    ...overrides,
  };
}

async function markVerified(app: TestApp, username: string): Promise<void> {
  const users = app.app.get(UsersService);
  const user = await users.findByUsername(username);
  if (!user) throw new Error(`no user ${username}`);
  await users.markEmailVerified(user.id, user.email, new Date());
}

describe('Sign-in through a provider: /authorize, the callback, whose account it is', () => {
  let provider: TestProvider;
  let app: TestApp;
  let trusting: TestApp;

  beforeAll(async () => {
    provider = await startTestProvider({ accounts: [], clients: [PROVIDER_CLIENT] });
    app = await createFederatedApp(provider);
    trusting = await createFederatedApp(provider, { OIDC_ACME_TRUST_EMAIL: 'on' });
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await trusting.close({ removeData: true });
    await provider.stop();
  });

  async function signIn(target: TestApp, account: TestAccount, consent?: 'grant' | 'deny') {
    provider.setAccount(account);
    return signInThroughProvider(target, provider, account.sub, consent ? { consent } : {});
  }

  it('advertises the authorization endpoint, the code grant and S256 in the RFC 8414 metadata', async () => {
    const response = await app.http().get('/.well-known/oauth-authorization-server').expect(200);
    expect(response.body).toEqual(
      expect.objectContaining({
        authorization_endpoint: `${FEDERATED_PUBLIC_URL}/authorize`,
        response_types_supported: ['code'],
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['password', 'refresh_token', 'authorization_code'],
      }),
    );
  });

  describe('GET /authorize', () => {
    const valid = () => ({
      provider: 'acme',
      redirect_uri: APP_REDIRECT_URI,
      code_challenge: pkce().challenge,
      code_challenge_method: 'S256',
      state: 'app-state',
    });

    it('sends the browser to the provider with the flow cookie: HttpOnly, Lax, callback path, 10 min', async () => {
      const response = await app.http().get('/authorize').query(valid()).expect(302);
      expect(String(response.headers.location)).toMatch(new RegExp(`^${provider.issuer}/auth\\?`));
      const line = (response.headers['set-cookie'] as unknown as string[]).find((cookie) =>
        cookie.startsWith('oidc_flow='),
      );
      expect(line).toMatch(/Max-Age=600/);
      expect(line).toMatch(/Path=\/oauth\/acme\/callback/);
      expect(line).toMatch(/HttpOnly/);
      expect(line).toMatch(/SameSite=Lax/);
      expect(line).not.toMatch(/Secure/);
    });

    it('answers an unknown provider or a redirect_uri not allowed with 400, never a redirect', async () => {
      const unknown = await app
        .http()
        .get('/authorize')
        .query({ ...valid(), provider: 'nope' })
        .expect(400);
      expect(unknown.headers.location).toBeUndefined();
      expect(unknown.body).toEqual(
        expect.objectContaining({ type: '/problems/unknown-provider', status: 400 }),
      );
      for (const redirectUri of [
        'https://evil.example/signed-in',
        `${APP_REDIRECT_URI}/more`,
        `${APP_REDIRECT_URI}?x=1`,
        '',
      ]) {
        const refused = await app
          .http()
          .get('/authorize')
          .query({ ...valid(), redirect_uri: redirectUri })
          .expect(400);
        expect(refused.headers.location).toBeUndefined();
        expect(refused.body).toEqual(
          expect.objectContaining({ type: '/problems/redirect-uri-not-allowed' }),
        );
      }
    });

    it('sends a missing or non-S256 challenge back as invalid_request, with the app’s state', async () => {
      for (const query of [
        { ...valid(), code_challenge: undefined },
        { ...valid(), code_challenge_method: 'plain' },
        { ...valid(), code_challenge_method: undefined },
      ]) {
        const response = await app.http().get('/authorize').query(query).expect(302);
        const back = new URL(String(response.headers.location));
        expect(back.origin + back.pathname).toBe(APP_REDIRECT_URI);
        expect(back.searchParams.get('error')).toBe('invalid_request');
        expect(back.searchParams.get('state')).toBe('app-state');
        expect(flowCookie(response.headers['set-cookie'])).toBeUndefined();
      }
    });

    it('passes prompt (login, consent, select_account) on to the provider; refuses other values', async () => {
      const started = await app
        .http()
        .get('/authorize')
        .query({ ...valid(), prompt: 'login select_account' })
        .expect(302);
      const upstream = new URL(String(started.headers.location));
      expect(upstream.origin).toBe(new URL(provider.issuer).origin);
      expect(upstream.searchParams.get('prompt')).toBe('login select_account');
      const plain = await app.http().get('/authorize').query(valid()).expect(302);
      expect(new URL(String(plain.headers.location)).searchParams.has('prompt')).toBe(false);

      for (const prompt of ['none', 'login none', 'sometimes', 'login,consent']) {
        const refused = await app
          .http()
          .get('/authorize')
          .query({ ...valid(), prompt })
          .expect(302);
        const back = new URL(String(refused.headers.location));
        expect(back.origin + back.pathname).toBe(APP_REDIRECT_URI);
        expect(back.searchParams.get('error')).toBe('invalid_request');
        expect(flowCookie(refused.headers['set-cookie'])).toBeUndefined();
      }
    });
  });

  describe('the callback', () => {
    it('first sign-in creates an account; the second signs in the same one', async () => {
      const account = anAccount();
      const first = await signIn(app, account);
      expect(first.redirect.origin + first.redirect.pathname).toBe(APP_REDIRECT_URI);
      expect(first.redirect.searchParams.get('state')).toBe(first.state);
      expect(first.redirect.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const user = await app.app.get(UsersService).findByEmail(account.email ?? '');
      expect(user).toEqual(
        expect.objectContaining({
          username: account.preferred_username,
          passwordHash: null,
          // TRUST_EMAIL off: the provider's word does not verify our address.
          emailVerifiedAt: null,
          roles: ['user'],
        }),
      );
      const identities = await app.app.get(IdentitiesRepository).listForUser(user?.id ?? '');
      expect(identities).toEqual([
        expect.objectContaining({
          provider: 'acme',
          issuer: provider.issuer,
          subject: account.sub,
        }),
      ]);

      const second = await signIn(app, account);
      expect(second.redirect.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(second.redirect.searchParams.get('code')).not.toBe(
        first.redirect.searchParams.get('code'),
      );
      const again = await app.app.get(IdentitiesRepository).listForUser(user?.id ?? '');
      expect(again).toHaveLength(1);
      expect(again[0]?.lastUsedAt).not.toBeNull();
      const events = await app.app.get(AuditRepository).listForUser(user?.id ?? '', 10);
      expect(events.filter((event) => event.type === 'signup')).toEqual([
        expect.objectContaining({ method: 'fed' }),
      ]);
    });

    it('makes a taken username unique, and falls back to user-<random> for one the rules refuse', async () => {
      const taken = await signUp(app, aUser());
      const clash = anAccount({ preferred_username: taken.username });
      await signIn(app, clash);
      const made = await app.app.get(UsersService).findByEmail(clash.email ?? '');
      expect(made?.username).toBe(`${taken.username}-2`);

      const odd = anAccount({ preferred_username: 'no spaces allowed', email: 'x@example.com' });
      await signIn(app, odd);
      const fallback = await app.app.get(UsersService).findByEmail('x@example.com');
      expect(fallback?.username).toMatch(/^user-[0-9a-f]+$/);
    });

    it('TRUST_EMAIL off: an address of an existing account links nothing (account_exists), verified or not', async () => {
      const owner = await signUp(app, aUser());
      await markVerified(app, owner.username);
      const claimant = anAccount({ email: owner.email, email_verified: true });
      const { redirect } = await signIn(app, claimant);
      expect(redirect.searchParams.get('error')).toBe('account_exists');
      expect(redirect.searchParams.get('code')).toBeNull();
      const ownerId = await idOf(app, owner);
      expect(await app.app.get(IdentitiesRepository).listForUser(ownerId)).toEqual([]);
    });

    it('TRUST_EMAIL on: links by an address verified on both sides, and signs the owner in', async () => {
      const owner = await signUp(trusting, aUser());
      await markVerified(trusting, owner.username);
      const { redirect } = await signIn(trusting, anAccount({ email: owner.email }));
      expect(redirect.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const ownerId = await idOf(trusting, owner);
      expect(await trusting.app.get(IdentitiesRepository).listForUser(ownerId)).toHaveLength(1);
      const events = await trusting.app.get(AuditRepository).listForUser(ownerId, 10);
      expect(events.find((event) => event.type === 'identity_linked')?.idp).toBe('acme');
      // The owner hears of it, through the mail queue.
      const mails = await trusting.app
        .get(Database)
        .selectFrom('mail_outbox')
        .select('kind')
        .where('user_id', '=', ownerId)
        .execute();
      expect(mails.map((mail) => mail.kind)).toContain('identity_linked');
    });

    it('TRUST_EMAIL on: refuses when either side is unverified, or the account is an admin', async () => {
      const unverifiedHere = await signUp(trusting, aUser());
      const verifiedHere = await signUp(trusting, aUser());
      await markVerified(trusting, verifiedHere.username);
      const admin = await signUpAdmin(trusting);
      await markVerified(trusting, admin.username);
      for (const [email, providerVerified] of [
        [unverifiedHere.email, true],
        [verifiedHere.email, false],
        [admin.email, true],
      ] as const) {
        const { redirect } = await signIn(
          trusting,
          anAccount({ email, email_verified: providerVerified }),
        );
        expect(redirect.searchParams.get('error')).toBe('account_exists');
      }
      for (const user of [unverifiedHere, verifiedHere, admin]) {
        const id = await idOf(trusting, user);
        expect(await trusting.app.get(IdentitiesRepository).listForUser(id)).toEqual([]);
      }
    });

    it('TRUST_EMAIL on: a new account’s address is verified when the provider says so', async () => {
      const account = anAccount();
      await signIn(trusting, account);
      const user = await trusting.app.get(UsersService).findByEmail(account.email ?? '');
      expect(user?.emailVerifiedAt).not.toBeNull();
    });

    it('answers access_denied when the user denies consent, and creates nothing', async () => {
      const account = anAccount();
      const { redirect } = await signIn(app, account, 'deny');
      expect(redirect.searchParams.get('error')).toBe('access_denied');
      expect(await app.app.get(UsersService).findByEmail(account.email ?? '')).toBeUndefined();
    });

    it('answers access_denied for a disabled account', async () => {
      const account = anAccount();
      await signIn(app, account);
      const user = await app.app.get(UsersService).findByEmail(account.email ?? '');
      await app.app.get(UsersService).disable(user?.id ?? '', new Date(), null);
      const { redirect } = await signIn(app, account);
      expect(redirect.searchParams.get('error')).toBe('access_denied');
    });

    it('answers access_denied for an identity without an address', async () => {
      const { redirect } = await signIn(app, anAccount({ email: undefined }));
      expect(redirect.searchParams.get('error')).toBe('access_denied');
    });

    it('refuses an ID token with the wrong nonce or audience', async () => {
      for (const rewrite of [
        (claims: Record<string, unknown>) => ({ ...claims, nonce: 'not-ours' }),
        (claims: Record<string, unknown>) => ({ ...claims, aud: 'another-client' }),
      ]) {
        const account = anAccount();
        provider.tamperNextIdToken(rewrite);
        const { redirect } = await signIn(app, account);
        expect(redirect.searchParams.get('error')).toBe('access_denied');
        expect(redirect.searchParams.get('code')).toBeNull();
        expect(await app.app.get(UsersService).findByEmail(account.email ?? '')).toBeUndefined();
      }
    });

    it('needs the cookie, the state and the row to agree; a flow is spent once', async () => {
      const account = anAccount();
      provider.setAccount(account);
      const { challenge } = pkce();
      const started = await app
        .http()
        .get('/authorize')
        .query({
          provider: 'acme',
          redirect_uri: APP_REDIRECT_URI,
          code_challenge: challenge,
          code_challenge_method: 'S256',
          state: 's1',
        })
        .expect(302);
      const cookie = flowCookie(started.headers['set-cookie']);
      const callback = await provider.signIn(String(started.headers.location), account.sub);
      const path = callback.pathname + callback.search;

      // No cookie, or another cookie: nowhere safe to send the browser.
      const without = await app.http().get(path).expect(400);
      expect(without.headers.location).toBeUndefined();
      expect(without.body).toEqual(
        expect.objectContaining({ type: '/problems/invalid-sign-in-flow' }),
      );
      await app.http().get(path).set('Cookie', 'oidc_flow=forged').expect(400);
      // An id that is no provider's never becomes a cookie path.
      const odd = await app
        .http()
        .get('/oauth/x%3BDomain%3Devil.example/callback')
        .set('Cookie', `oidc_flow=${cookie}`)
        .expect(400);
      expect(odd.headers['set-cookie']).toBeUndefined();

      // A tampered state: the flow is this browser's, so the app hears of the refusal.
      const tampered = new URL(callback);
      tampered.searchParams.set('state', 'tampered');
      const refused = await app
        .http()
        .get(tampered.pathname + tampered.search)
        .set('Cookie', `oidc_flow=${cookie}`)
        .expect(302);
      const back = new URL(String(refused.headers.location));
      expect(back.searchParams.get('error')).toBe('access_denied');
      expect(back.searchParams.get('state')).toBe('s1');
      // The row was taken: the genuine callback afterwards finds nothing.
      await app.http().get(path).set('Cookie', `oidc_flow=${cookie}`).expect(400);
    });

    it('SIGNUP=off: an unknown identity with no account is refused (access_denied)', async () => {
      const closed = await createFederatedApp(provider, { OIDC_ACME_SIGNUP: 'off' });
      try {
        const account = anAccount();
        const { redirect } = await signIn(closed, account);
        expect(redirect.searchParams.get('error')).toBe('access_denied');
        expect(await closed.app.get(UsersService).findByEmail(account.email ?? '')).toBeUndefined();
      } finally {
        await closed.close({ removeData: true });
      }
    });
  });
});
