import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import * as client from 'openid-client';
import passport from 'passport';
import type { OidcProviderConfig } from '../../src/config/oidc-config.js';
import { OidcProvidersService } from '../../src/auth/oidc/oidc-providers.service.js';
import {
  OidcSignInError,
  UnknownOidcProviderError,
} from '../../src/auth/oidc/oidc-sign-in.error.js';
import type { OidcSignIn } from '../../src/auth/oidc/oidc.strategy.js';
import {
  createTestProvider,
  startTestProvider,
  type TestAccount,
  type TestProvider,
} from '../support/oidc-provider.js';

const PUBLIC_URL = 'http://127.0.0.1:9';
const CALLBACK = `${PUBLIC_URL}/oauth/acme/callback`;
const CLIENT = {
  client_id: 'auth-service',
  client_secret: 'acme-secret',
  redirect_uris: [CALLBACK],
};
const OTHER_CLIENT = {
  client_id: 'another-app',
  client_secret: 'other',
  redirect_uris: [CALLBACK],
};
const ALICE: TestAccount = {
  sub: 'alice-sub',
  email: 'alice@example.com',
  email_verified: true,
  preferred_username: 'alice',
};
const BOB: TestAccount = { sub: 'bob-sub', email: 'bob@example.com', email_verified: false };
const FAST_RETRY = { firstDelayMs: 50, maxDelayMs: 200, timeoutSeconds: 2, onDemandEveryMs: 1_000 };

const acme = (issuer: string): OidcProviderConfig => ({
  id: 'acme',
  name: 'Acme',
  issuer,
  clientId: CLIENT.client_id,
  clientSecret: CLIENT.client_secret,
  scopes: ['openid', 'email', 'profile'],
  trustEmail: false,
  signup: true,
  callbackUrl: CALLBACK,
});

/** Until the provider's discovery has succeeded (or the test's timeout). */
async function discovered(service: OidcProvidersService, id = 'acme'): Promise<void> {
  while (!service.isAvailable(id)) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** passport's registry, which its types do not declare. */
function registeredStrategy(name: string): unknown {
  return (passport as unknown as { _strategy(name: string): unknown })._strategy(name);
}

function failureOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'succeeded',
    (error: unknown) => (error instanceof OidcSignInError ? error.failure : String(error)),
  );
}

// The service logs each provider it cannot reach; here that is on purpose.
Logger.overrideLogger(false);

describe('OpenID Connect strategies over openid-client/passport, against a real provider', () => {
  let provider: TestProvider;
  let service: OidcProvidersService;
  let acmeSignIn: OidcSignIn;

  beforeAll(async () => {
    provider = await startTestProvider({ accounts: [ALICE, BOB], clients: [CLIENT, OTHER_CLIENT] });
    service = new OidcProvidersService([acme(provider.issuer)], FAST_RETRY);
    service.onApplicationBootstrap();
    await discovered(service);
    acmeSignIn = service.signIn('acme');
  });
  afterAll(async () => {
    service.onApplicationShutdown();
    await provider.stop();
  });

  it('discovers the provider and registers its strategy with passport as oidc:acme', () => {
    expect(service.list()).toEqual([{ id: 'acme', name: 'Acme' }]);
    expect(registeredStrategy('oidc:acme')).toEqual(expect.objectContaining({ name: 'oidc:acme' }));
  });

  it('answers an unknown provider apart from an unavailable one', () => {
    expect(() => service.signIn('nope')).toThrow(UnknownOidcProviderError);
  });

  it('starts with a redirect to the authorization endpoint: code flow, PKCE S256, state and nonce', async () => {
    const { authorizationUrl, checks } = await acmeSignIn.begin();
    const url = new URL(authorizationUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${provider.issuer}/auth`);
    const params = Object.fromEntries(url.searchParams);
    expect(params).toEqual({
      client_id: CLIENT.client_id,
      response_type: 'code',
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge_method: 'S256',
      code_challenge: await client.calculatePKCECodeChallenge(checks.codeVerifier),
      state: checks.state,
      nonce: checks.nonce,
    });
    // Fresh for every flow.
    const again = await acmeSignIn.begin();
    expect(again.checks.state).not.toBe(checks.state);
    expect(again.checks.nonce).not.toBe(checks.nonce);
    expect(again.checks.codeVerifier).not.toBe(checks.codeVerifier);
  });

  it('validates the provider’s callback and yields the claims, email from UserInfo', async () => {
    const { authorizationUrl, checks } = await acmeSignIn.begin();
    const callback = await provider.signIn(authorizationUrl, ALICE.sub);
    const claims = await acmeSignIn.complete(callback.searchParams, checks);
    expect(claims).toEqual({
      iss: provider.issuer,
      sub: ALICE.sub,
      email: ALICE.email,
      email_verified: true,
      preferred_username: 'alice',
    });
  });

  it('reports an address the provider has not verified as unverified', async () => {
    const { authorizationUrl, checks } = await acmeSignIn.begin();
    const callback = await provider.signIn(authorizationUrl, BOB.sub);
    expect(await acmeSignIn.complete(callback.searchParams, checks)).toEqual({
      iss: provider.issuer,
      sub: BOB.sub,
      email: BOB.email,
      email_verified: false,
    });
  });

  it('answers access_denied when the user denies consent', async () => {
    const { authorizationUrl, checks } = await acmeSignIn.begin();
    const callback = await provider.signIn(authorizationUrl, ALICE.sub, 'deny');
    expect(await failureOf(acmeSignIn.complete(callback.searchParams, checks))).toBe(
      'access_denied',
    );
  });

  it('refuses an ID token with the wrong nonce', async () => {
    const { authorizationUrl, checks } = await acmeSignIn.begin();
    const callback = await provider.signIn(authorizationUrl, ALICE.sub);
    provider.tamperNextIdToken((claims) => ({ ...claims, nonce: client.randomNonce() }));
    expect(await failureOf(acmeSignIn.complete(callback.searchParams, checks))).toBe('invalid');
  });

  it('refuses an ID token issued to another client (wrong audience)', async () => {
    const { authorizationUrl, checks } = await acmeSignIn.begin();
    const callback = await provider.signIn(authorizationUrl, ALICE.sub);
    provider.tamperNextIdToken((claims) => ({ ...claims, aud: OTHER_CLIENT.client_id }));
    expect(await failureOf(acmeSignIn.complete(callback.searchParams, checks))).toBe('invalid');
  });

  it('refuses a code the provider issued to another client (its token endpoint says invalid_grant)', async () => {
    const { authorizationUrl, checks } = await acmeSignIn.begin();
    const forOther = new URL(authorizationUrl);
    forOther.searchParams.set('client_id', OTHER_CLIENT.client_id);
    const callback = await provider.signIn(forOther, ALICE.sub);
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));
    expect(await failureOf(acmeSignIn.complete(callback.searchParams, checks))).toBe('invalid');
  });

  it('reads an account as the provider has it at sign-in time', async () => {
    provider.setAccount({ ...BOB, email_verified: true });
    try {
      const { authorizationUrl, checks } = await acmeSignIn.begin();
      const callback = await provider.signIn(authorizationUrl, BOB.sub);
      expect(await acmeSignIn.complete(callback.searchParams, checks)).toEqual(
        expect.objectContaining({ sub: BOB.sub, email_verified: true }),
      );
    } finally {
      provider.setAccount(BOB);
    }
  });

  it('refuses a callback replayed into another flow (its state, nonce and verifier differ)', async () => {
    const first = await acmeSignIn.begin();
    const second = await acmeSignIn.begin();
    const callback = await provider.signIn(first.authorizationUrl, ALICE.sub);
    expect(await failureOf(acmeSignIn.complete(callback.searchParams, second.checks))).toBe(
      'invalid',
    );
    // Even with the state made to agree, the nonce and PKCE verifier of the other flow fail.
    const forged = new URLSearchParams(callback.searchParams);
    forged.set('state', second.checks.state);
    expect(await failureOf(acmeSignIn.complete(forged, second.checks))).toBe('invalid');
  });

  it('refuses a tampered state, and a callback with neither code nor error', async () => {
    const { authorizationUrl, checks } = await acmeSignIn.begin();
    const callback = await provider.signIn(authorizationUrl, ALICE.sub);
    const tampered = new URLSearchParams(callback.searchParams);
    tampered.set('state', client.randomState());
    expect(await failureOf(acmeSignIn.complete(tampered, checks))).toBe('invalid');
    expect(
      await failureOf(acmeSignIn.complete(new URLSearchParams({ state: checks.state }), checks)),
    ).toBe('invalid');
  });

  it('redeems a code once: the same callback a second time is refused', async () => {
    const { authorizationUrl, checks } = await acmeSignIn.begin();
    const callback = await provider.signIn(authorizationUrl, ALICE.sub);
    await acmeSignIn.complete(callback.searchParams, checks);
    expect(await failureOf(acmeSignIn.complete(callback.searchParams, checks))).toBe('invalid');
  });

  it('takes the claims from the ID token when the provider puts them there', async () => {
    const generous = await startTestProvider({
      accounts: [ALICE],
      clients: [CLIENT],
      claimsInIdToken: true,
    });
    const generousService = new OidcProvidersService([acme(generous.issuer)], FAST_RETRY);
    try {
      generousService.onApplicationBootstrap();
      await discovered(generousService);
      const signIn = generousService.signIn('acme');
      const { authorizationUrl, checks } = await signIn.begin();
      const callback = await generous.signIn(authorizationUrl, ALICE.sub);
      expect(await signIn.complete(callback.searchParams, checks)).toEqual(
        expect.objectContaining({ email: ALICE.email, email_verified: true }),
      );
    } finally {
      generousService.onApplicationShutdown();
      await generous.stop();
    }
  });
});

describe('a provider down at start', () => {
  let provider: TestProvider;
  let service: OidcProvidersService | undefined;

  beforeAll(async () => {
    provider = await createTestProvider({ accounts: [ALICE], clients: [CLIENT] });
  });
  afterEach(async () => {
    service?.onApplicationShutdown();
    service = undefined;
    await provider.stop();
  });

  it('is unavailable, then works once discovery succeeds on a retry', async () => {
    service = new OidcProvidersService([acme(provider.issuer)], FAST_RETRY);
    service.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(service.isAvailable('acme')).toBe(false);
    expect(service.list()).toEqual([{ id: 'acme', name: 'Acme' }]);
    expect(() => service?.signIn('acme')).toThrow(
      expect.objectContaining({ failure: 'unavailable' }),
    );

    await provider.start();
    await discovered(service);
    const signIn = service.signIn('acme');
    const { authorizationUrl, checks } = await signIn.begin();
    const callback = await provider.signIn(authorizationUrl, ALICE.sub);
    expect(await signIn.complete(callback.searchParams, checks)).toEqual(
      expect.objectContaining({ sub: ALICE.sub }),
    );
  });

  it('tries discovery again at a sign-in rather than wait for a distant retry', async () => {
    const slowRetry = {
      ...FAST_RETRY,
      firstDelayMs: 60_000,
      maxDelayMs: 60_000,
      onDemandEveryMs: 0,
    };
    service = new OidcProvidersService([acme(provider.issuer)], slowRetry);
    service.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await provider.start();
    // The next retry is a minute away; this sign-in answers unavailable, and starts one now.
    expect(() => service?.signIn('acme')).toThrow(
      expect.objectContaining({ failure: 'unavailable' }),
    );
    await discovered(service);
    expect(service.signIn('acme')).toBeDefined();
  });

  it('answers unavailable when the provider goes away between the redirect and the callback', async () => {
    await provider.start();
    service = new OidcProvidersService([acme(provider.issuer)], FAST_RETRY);
    service.onApplicationBootstrap();
    await discovered(service);
    const signIn = service.signIn('acme');
    const { authorizationUrl, checks } = await signIn.begin();
    const callback = await provider.signIn(authorizationUrl, ALICE.sub);
    await provider.stop();
    expect(await failureOf(signIn.complete(callback.searchParams, checks))).toBe('unavailable');
    // At shutdown its strategy leaves passport.
    expect(registeredStrategy('oidc:acme')).toEqual(expect.objectContaining({ name: 'oidc:acme' }));
    service.onApplicationShutdown();
    expect(registeredStrategy('oidc:acme')).toBeUndefined();
  });

  it('stops retrying at shutdown', async () => {
    service = new OidcProvidersService([acme(provider.issuer)], FAST_RETRY);
    service.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 100));
    service.onApplicationShutdown();
    await provider.start();
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(service.isAvailable('acme')).toBe(false);
  });
});
