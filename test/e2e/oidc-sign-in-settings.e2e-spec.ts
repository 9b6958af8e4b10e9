import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  APP_REDIRECT_URI,
  createFederatedApp,
  exchangeCode,
  flowCookie,
  pkce,
  PROVIDER_CLIENT,
  signInThroughProvider,
} from '../support/federated-sign-in.js';
import {
  createTestProvider,
  startTestProvider,
  type TestProvider,
} from '../support/oidc-provider.js';
import { SmtpSink } from '../support/smtp-sink.js';

/** A sign-in through a provider under settings other than the defaults, one app each. */
describe('Sign-in through a provider under other settings', () => {
  let provider: TestProvider;

  beforeAll(async () => {
    provider = await startTestProvider({ accounts: [], clients: [PROVIDER_CLIENT] });
  });
  afterAll(async () => {
    await provider.stop();
  });

  const authorizeQuery = () => ({
    provider: 'acme',
    redirect_uri: APP_REDIRECT_URI,
    code_challenge: pkce().challenge,
    code_challenge_method: 'S256',
  });

  it('puts /authorize and the callback under RATE_LIMIT_PER_IP', async () => {
    const app = await createFederatedApp(provider, { RATE_LIMIT_PER_IP: '2' });
    try {
      await app.http().get('/authorize').query(authorizeQuery()).expect(302);
      await app.http().get('/authorize').query(authorizeQuery()).expect(302);
      const limited = await app.http().get('/authorize').query(authorizeQuery()).expect(429);
      expect(limited.headers['retry-after']).toEqual(expect.any(String));
      await app.http().get('/oauth/acme/callback').expect(400);
      await app.http().get('/oauth/acme/callback').expect(400);
      await app.http().get('/oauth/acme/callback').expect(429);
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('marks the flow cookie Secure when PUBLIC_URL is https', async () => {
    const app = await createFederatedApp(provider, { PUBLIC_URL: 'https://auth.example' });
    try {
      const response = await app.http().get('/authorize').query(authorizeQuery()).expect(302);
      const line = (response.headers['set-cookie'] as unknown as string[]).find((cookie) =>
        cookie.startsWith('oidc_flow='),
      );
      expect(line).toMatch(/; Secure/);
      expect(line).toMatch(/SameSite=Lax/);
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('answers an unverified account at the exchange as /login does under EMAIL_VERIFICATION=required', async () => {
    const sink = await new SmtpSink().start();
    const app = await createFederatedApp(provider, {
      SMTP_URL: sink.url,
      EMAIL_VERIFICATION: 'required',
    });
    try {
      const account = { sub: 'sub-unverified', email: 'unverified@example.com' };
      provider.setAccount({ ...account, email_verified: false });
      const signIn = await signInThroughProvider(app, provider, account.sub);
      const code = signIn.redirect.searchParams.get('code') ?? '';
      const refused = await exchangeCode(app, code, signIn.pkce.verifier).expect(403);
      expect(refused.body).toEqual(
        expect.objectContaining({
          type: '/problems/email-not-verified',
          error: 'email_not_verified',
        }),
      );
    } finally {
      await app.close({ removeData: true });
      await sink.close();
    }
  });

  it('answers temporarily_unavailable while the provider is down, at /authorize and at the callback', async () => {
    const later = await createTestProvider({ accounts: [], clients: [PROVIDER_CLIENT] });
    const app = await createFederatedApp(later, {}, { discovered: false });
    try {
      // Down at start: /authorize sends the app back at once.
      const early = await app.http().get('/authorize').query(authorizeQuery()).expect(302);
      const back = new URL(String(early.headers.location));
      expect(back.origin + back.pathname).toBe(APP_REDIRECT_URI);
      expect(back.searchParams.get('error')).toBe('temporarily_unavailable');

      // Back: a sign-in starts discovery on demand, and soon goes to the provider.
      await later.start();
      let location = '';
      for (let tries = 0; tries < 100 && !location.startsWith(later.issuer); tries++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const response = await app.http().get('/authorize').query(authorizeQuery()).expect(302);
        location = String(response.headers.location);
      }
      expect(location.startsWith(`${later.issuer}/auth?`)).toBe(true);

      // Down between the provider's redirect and our token request.
      const account = { sub: 'sub-outage', email: 'outage@example.com', email_verified: true };
      later.setAccount(account);
      const started = await app.http().get('/authorize').query(authorizeQuery()).expect(302);
      const cookie = flowCookie(started.headers['set-cookie']);
      const callback = await later.signIn(String(started.headers.location), account.sub);
      await later.stop();
      const failed = await app
        .http()
        .get(callback.pathname + callback.search)
        .set('Cookie', `oidc_flow=${cookie}`)
        .expect(302);
      expect(new URL(String(failed.headers.location)).searchParams.get('error')).toBe(
        'temporarily_unavailable',
      );
    } finally {
      await app.close({ removeData: true });
      await later.stop();
    }
  });
});
