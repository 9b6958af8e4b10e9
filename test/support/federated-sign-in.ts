import { createHash, randomBytes } from 'node:crypto';
import { OidcProvidersService } from '../../src/auth/oidc/oidc-providers.service.js';
import type { Consent, TestProvider } from './oidc-provider.js';
import { createTestApp, type TestApp } from './test-app.js';

/** Our PUBLIC_URL in these tests: nothing listens there, supertest talks to the app directly. */
export const FEDERATED_PUBLIC_URL = 'http://127.0.0.1:8124';
export const APP_REDIRECT_URI = 'https://app.example/signed-in';
export const PROVIDER_CLIENT = {
  client_id: 'auth-service',
  client_secret: 'acme-secret',
  redirect_uris: [`${FEDERATED_PUBLIC_URL}/oauth/acme/callback`],
};

/** An app with the provider `acme` configured against the test provider, discovered unless told not to wait. */
export async function createFederatedApp(
  provider: Pick<TestProvider, 'issuer'>,
  overrides: Record<string, string> = {},
  { discovered = true }: { discovered?: boolean } = {},
): Promise<TestApp> {
  const app = await createTestApp({
    PUBLIC_URL: FEDERATED_PUBLIC_URL,
    OIDC_PROVIDERS: 'acme',
    OIDC_ACME_ISSUER: provider.issuer,
    OIDC_ACME_CLIENT_ID: PROVIDER_CLIENT.client_id,
    OIDC_ACME_CLIENT_SECRET: PROVIDER_CLIENT.client_secret,
    LOGIN_REDIRECT_URIS: APP_REDIRECT_URI,
    ...overrides,
  });
  const providers = app.app.get(OidcProvidersService);
  if (!discovered) return app;
  while (!providers.isAvailable('acme')) await new Promise((resolve) => setTimeout(resolve, 20));
  return app;
}

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

/** A fresh PKCE pair (RFC 7636 S256), as an app makes one. */
export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AppSignIn {
  readonly pkce: Pkce;
  readonly state: string;
  /** Where the app was sent back to: `?code=…&state=…` or `?error=…`. */
  readonly redirect: URL;
}

/**
 * The whole browser round trip: /authorize, the provider's login and consent, our callback with
 * the flow cookie; answers where the app was sent back to.
 */
export async function signInThroughProvider(
  app: TestApp,
  provider: TestProvider,
  account: string,
  options: { consent?: Consent; redirectUri?: string } = {},
): Promise<AppSignIn> {
  const pair = pkce();
  const state = randomBytes(8).toString('hex');
  const started = await app
    .http()
    .get('/authorize')
    .query({
      provider: 'acme',
      redirect_uri: options.redirectUri ?? APP_REDIRECT_URI,
      code_challenge: pair.challenge,
      code_challenge_method: 'S256',
      state,
      response_type: 'code',
    })
    .expect(302);
  const cookie = flowCookie(started.headers['set-cookie']);
  if (!cookie) throw new Error(`no flow cookie; went to ${String(started.headers.location)}`);
  const callback = await provider.signIn(
    String(started.headers.location),
    account,
    options.consent,
  );
  const back = await app
    .http()
    .get(callback.pathname + callback.search)
    .set('Cookie', `oidc_flow=${cookie}`)
    .expect(302);
  return { pkce: pair, state, redirect: new URL(String(back.headers.location)) };
}

/** The flow cookie's value among Set-Cookie lines. */
export function flowCookie(setCookie: unknown): string | undefined {
  const lines = Array.isArray(setCookie) ? (setCookie as string[]) : [];
  const line = lines.find((candidate) => candidate.startsWith('oidc_flow='));
  return line ? /^oidc_flow=([^;]*)/.exec(line)?.[1] : undefined;
}

/** Exchanges a code at the token endpoint (JSON). */
export function exchangeCode(
  app: TestApp,
  code: string,
  verifier: string,
  redirectUri = APP_REDIRECT_URI,
) {
  return app.http().post('/login').send({
    grant_type: 'authorization_code',
    code,
    code_verifier: verifier,
    redirect_uri: redirectUri,
  });
}
