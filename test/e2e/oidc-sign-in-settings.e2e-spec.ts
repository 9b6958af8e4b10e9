import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  APP_REDIRECT_URI,
  createFederatedApp,
  exchangeCode,
  pkce,
  PROVIDER_CLIENT,
  signInThroughProvider,
} from '../support/federated-sign-in.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';
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
});
