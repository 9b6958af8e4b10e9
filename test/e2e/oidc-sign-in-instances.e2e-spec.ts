import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  APP_REDIRECT_URI,
  createFederatedApp,
  exchangeCode,
  flowCookie,
  pkce,
  PROVIDER_CLIENT,
} from '../support/federated-sign-in.js';
import { decodeJwt } from '../support/jwt.js';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';
import { createFreshDatabase, testPostgresUrl, type FreshDatabase } from '../support/postgres.js';
import type { TestApp } from '../support/test-app.js';

const postgresUrl = await testPostgresUrl();

/**
 * Two instances on one PostgreSQL database: the flow row and our code live in the database, so the
 * provider's callback may land on the other instance, and the code be exchanged on either.
 */
(postgresUrl ? describe : describe.skip)('sign-in through a provider across two instances', () => {
  let provider: TestProvider;
  let database: FreshDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    provider = await startTestProvider({ accounts: [], clients: [PROVIDER_CLIENT] });
    database = await createFreshDatabase(postgresUrl!);
    a = await createFederatedApp(provider, { DATABASE_URL: database.url });
    b = await createFederatedApp(provider, { DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await a?.close({ removeData: true });
    await b?.close();
    await database?.drop();
    await provider.stop();
  });

  it('starts on A, takes the callback on B, and exchanges the code on A', async () => {
    const account = { sub: 'sub-two-instances', email: 'two@example.com', email_verified: true };
    provider.setAccount(account);
    const { verifier, challenge } = pkce();
    const started = await a
      .http()
      .get('/authorize')
      .query({
        provider: 'acme',
        redirect_uri: APP_REDIRECT_URI,
        code_challenge: challenge,
        code_challenge_method: 'S256',
        state: 'two',
      })
      .expect(302);
    const cookie = flowCookie(started.headers['set-cookie']);
    const callback = await provider.signIn(String(started.headers.location), account.sub);
    const back = await b
      .http()
      .get(callback.pathname + callback.search)
      .set('Cookie', `oidc_flow=${cookie}`)
      .expect(302);
    const redirect = new URL(String(back.headers.location));
    expect(redirect.searchParams.get('state')).toBe('two');
    const code = redirect.searchParams.get('code') ?? '';
    const tokens = await exchangeCode(a, code, verifier).expect(200);
    expect(decodeJwt(tokens.body.access_token as string).payload).toEqual(
      expect.objectContaining({ amr: ['fed'], idp: 'acme' }),
    );
    // Spent on A: B refuses it too.
    await exchangeCode(b, code, verifier).expect(400);
  });
});
