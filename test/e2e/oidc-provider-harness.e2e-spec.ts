import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as client from 'openid-client';
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js';

const CALLBACK = 'http://127.0.0.1:9/oauth/acme/callback';
const CLIENT = {
  client_id: 'auth-service',
  client_secret: 'a-test-secret',
  redirect_uris: [CALLBACK],
};
const ALICE = {
  sub: 'alice-sub',
  email: 'alice@example.com',
  email_verified: true,
  preferred_username: 'alice',
};

/** The test provider itself, driven with openid-client's plain functions (no strategy yet). */
describe('the test OpenID provider (oidc-provider in-process)', () => {
  let provider: TestProvider;
  let config: client.Configuration;

  beforeAll(async () => {
    provider = await startTestProvider({ accounts: [ALICE], clients: [CLIENT] });
    config = await client.discovery(
      new URL(provider.issuer),
      CLIENT.client_id,
      undefined,
      client.ClientSecretBasic(CLIENT.client_secret),
      { execute: [client.allowInsecureRequests] },
    );
  });
  afterAll(() => provider.stop());

  async function authorizationRequest() {
    const verifier = client.randomPKCECodeVerifier();
    const checks = { state: client.randomState(), nonce: client.randomNonce(), verifier };
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    });
    return { url, checks };
  }

  it('serves its discovery document on 127.0.0.1 over http', () => {
    const metadata = config.serverMetadata();
    expect(metadata.issuer).toBe(provider.issuer);
    expect(metadata.authorization_endpoint).toBe(`${provider.issuer}/auth`);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
    expect(metadata.userinfo_endpoint).toBe(`${provider.issuer}/me`);
  });

  it('signs in and consents over HTTP, and comes back to the callback with a code that redeems', async () => {
    const { url, checks } = await authorizationRequest();
    const callback = await provider.signIn(url, ALICE.sub);
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe(checks.state);
    expect(callback.searchParams.get('code')).toEqual(expect.any(String));

    const tokens = await client.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: checks.verifier,
      expectedState: checks.state,
      expectedNonce: checks.nonce,
    });
    // The provider's default: claims a scope asks for are in UserInfo, not in the ID token.
    expect(tokens.claims()).toEqual(expect.objectContaining({ sub: ALICE.sub }));
    expect(tokens.claims()?.email).toBeUndefined();
    const userInfo = await client.fetchUserInfo(config, tokens.access_token, ALICE.sub);
    expect(userInfo).toEqual(expect.objectContaining(ALICE));
  });

  it('answers error=access_denied when consent is denied', async () => {
    const { url, checks } = await authorizationRequest();
    const callback = await provider.signIn(url, ALICE.sub, 'deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe(checks.state);
    expect(callback.searchParams.has('code')).toBe(false);
  });

  it('puts the email claims in the ID token when asked to', async () => {
    const generous = await startTestProvider({
      accounts: [ALICE],
      clients: [CLIENT],
      claimsInIdToken: true,
    });
    try {
      const generousConfig = await client.discovery(
        new URL(generous.issuer),
        CLIENT.client_id,
        undefined,
        client.ClientSecretBasic(CLIENT.client_secret),
        { execute: [client.allowInsecureRequests] },
      );
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(generousConfig, {
        redirect_uri: CALLBACK,
        scope: 'openid email profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        nonce,
      });
      const callback = await generous.signIn(url, ALICE.sub);
      const tokens = await client.authorizationCodeGrant(generousConfig, callback, {
        pkceCodeVerifier: verifier,
        expectedNonce: nonce,
      });
      expect(tokens.claims()).toEqual(expect.objectContaining(ALICE));
    } finally {
      await generous.stop();
    }
  });

  it('re-signs a tampered ID token with its own key, so only the claim is wrong', async () => {
    const { url, checks } = await authorizationRequest();
    const callback = await provider.signIn(url, ALICE.sub);
    provider.tamperNextIdToken((claims) => ({ ...claims, aud: 'another-client' }));
    const refused = await client
      .authorizationCodeGrant(config, callback, {
        pkceCodeVerifier: checks.verifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(client.ClientError);
    expect((refused as client.ClientError).cause).toEqual(
      expect.objectContaining({ message: expect.stringMatching(/"aud"/) }),
    );
  });

  it('stops and starts again on the same port', async () => {
    await provider.stop();
    await expect(fetch(`${provider.issuer}/.well-known/openid-configuration`)).rejects.toThrow();
    await provider.start();
    const response = await fetch(`${provider.issuer}/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
  });
});
