import { describe, expect, it } from '@jest/globals';
import { failure, fromEnv } from '../../test/support/config.js';
import { isAllowedRedirectUri, isLoopbackHost } from './oidc-config.js';

const PUBLIC_URL = 'https://auth.example.com/api';
const SECRET = 'acme-client-secret-Vt3mQ9xL2bR7kW5p';

/** One provider, `acme`, with only what is required. */
const acme = (extra: Record<string, string> = {}): Record<string, string> => ({
  PUBLIC_URL,
  OIDC_PROVIDERS: 'acme',
  OIDC_ACME_ISSUER: 'https://id.acme.example',
  OIDC_ACME_CLIENT_ID: 'our-client',
  OIDC_ACME_CLIENT_SECRET: SECRET,
  ...extra,
});

describe('AppConfig.fromEnv: OpenID Connect providers', () => {
  it('has no providers, no redirect URIs and a 5-minute REAUTH_MAX_AGE by default', () => {
    expect(fromEnv({}).oidc).toEqual({
      providers: [],
      loginRedirectUris: [],
      reauthMaxAgeSeconds: 300,
    });
  });

  it('reads a provider with its defaults, and computes the redirect URI from PUBLIC_URL', () => {
    expect(fromEnv(acme()).oidc.providers).toEqual([
      {
        id: 'acme',
        name: 'acme',
        issuer: 'https://id.acme.example',
        clientId: 'our-client',
        clientSecret: SECRET,
        scopes: ['openid', 'email', 'profile'],
        trustEmail: false,
        signup: true,
        callbackUrl: 'https://auth.example.com/api/oauth/acme/callback',
      },
    ]);
  });

  it('reads every per-provider variable, the id upper-cased with "-" as "_"', () => {
    const config = fromEnv({
      PUBLIC_URL,
      OIDC_PROVIDERS: ' acme , my-idp2 ',
      OIDC_ACME_ISSUER: 'https://id.acme.example',
      OIDC_ACME_CLIENT_ID: 'a',
      OIDC_ACME_CLIENT_SECRET: 'sa',
      OIDC_MY_IDP2_ISSUER: 'https://login.example.com/tenant/v2.0/',
      OIDC_MY_IDP2_CLIENT_ID: 'b',
      OIDC_MY_IDP2_CLIENT_SECRET: 'sb',
      OIDC_MY_IDP2_SCOPES: 'openid  email',
      OIDC_MY_IDP2_NAME: 'My Company',
      OIDC_MY_IDP2_TRUST_EMAIL: 'on',
      OIDC_MY_IDP2_SIGNUP: 'off',
    });
    expect(config.oidc.providers.map((provider) => provider.id)).toEqual(['acme', 'my-idp2']);
    expect(config.oidc.providers[1]).toEqual({
      id: 'my-idp2',
      name: 'My Company',
      // as written, trailing slash included: the ID token's `iss` must equal it
      issuer: 'https://login.example.com/tenant/v2.0/',
      clientId: 'b',
      clientSecret: 'sb',
      scopes: ['openid', 'email'],
      trustEmail: true,
      signup: false,
      callbackUrl: 'https://auth.example.com/api/oauth/my-idp2/callback',
    });
  });

  it('refuses OIDC_PROVIDERS without an explicit PUBLIC_URL, naming PUBLIC_URL', () => {
    const { PUBLIC_URL: _omitted, ...env } = acme();
    const error = failure(env);
    expect(error.variable).toBe('PUBLIC_URL');
    expect(error.message).toContain('OIDC_PROVIDERS');
  });

  it.each(['Acme', 'ac_me', 'acme!', '-acme', 'a'.repeat(33), 'acme,acme'])(
    'refuses OIDC_PROVIDERS=%s',
    (value) => {
      expect(failure(acme({ OIDC_PROVIDERS: value })).variable).toBe('OIDC_PROVIDERS');
    },
  );

  it.each(['ISSUER', 'CLIENT_ID', 'CLIENT_SECRET'])(
    'refuses a provider without OIDC_<ID>_%s, naming the variable',
    (suffix) => {
      const error = failure(acme({ [`OIDC_ACME_${suffix}`]: ' ' }));
      expect(error.variable).toBe(`OIDC_ACME_${suffix}`);
      expect(error.message).toContain('"acme"');
    },
  );

  it.each([
    'id.acme.example',
    'http://id.acme.example',
    'http://10.0.0.5:8080',
    'ftp://id.acme.example',
    'https://id.acme.example/?tenant=1',
    'https://id.acme.example/#x',
    'https://user:pass@id.acme.example',
  ])('refuses the issuer %s', (issuer) => {
    expect(failure(acme({ OIDC_ACME_ISSUER: issuer })).variable).toBe('OIDC_ACME_ISSUER');
  });

  it.each(['http://127.0.0.1:9000', 'http://[::1]:9000/realms/x', 'http://localhost:9000'])(
    'takes the plain-http issuer %s, on this machine',
    (issuer) => {
      expect(fromEnv(acme({ OIDC_ACME_ISSUER: issuer })).oidc.providers[0]?.issuer).toBe(issuer);
    },
  );

  it('refuses scopes without openid', () => {
    expect(failure(acme({ OIDC_ACME_SCOPES: 'email profile' })).variable).toBe('OIDC_ACME_SCOPES');
  });

  it.each(['TRUST_EMAIL', 'SIGNUP'])('refuses OIDC_<ID>_%s other than on or off', (suffix) => {
    expect(failure(acme({ [`OIDC_ACME_${suffix}`]: 'yes' })).variable).toBe(`OIDC_ACME_${suffix}`);
  });

  it('never repeats the client secret in an error', () => {
    const error = failure(acme({ OIDC_ACME_SCOPES: 'email' }));
    expect(error.message).not.toContain(SECRET);
  });

  it('reads REAUTH_MAX_AGE with the usual durations', () => {
    expect(fromEnv({ REAUTH_MAX_AGE: '10m' }).oidc.reauthMaxAgeSeconds).toBe(600);
    expect(failure({ REAUTH_MAX_AGE: 'soon' }).variable).toBe('REAUTH_MAX_AGE');
    expect(failure({ REAUTH_MAX_AGE: '0' }).variable).toBe('REAUTH_MAX_AGE');
  });

  describe('LOGIN_REDIRECT_URIS', () => {
    it('takes exact URIs, trimmed, deduplicated, in the parser’s form', () => {
      const config = fromEnv({
        LOGIN_REDIRECT_URIS:
          ' https://app.example.com/cb ,http://127.0.0.1/cb,http://[::1]:8000/cb,http://localhost:5173/oauth,' +
          'com.example.app:/oauth2redirect,https://APP.example.com/cb,https://app.example.com',
      });
      expect(config.oidc.loginRedirectUris).toEqual([
        'https://app.example.com/cb',
        'http://127.0.0.1/cb',
        'http://[::1]:8000/cb',
        'http://localhost:5173/oauth',
        'com.example.app:/oauth2redirect',
        'https://app.example.com/',
      ]);
    });

    it.each([
      'https://app.example.com/cb#',
      'https://app.example.com/cb#frag',
      'http://app.example.com/cb',
      'http://10.0.0.5/cb',
      'https://user:pass@app.example.com/cb',
      'javascript:alert(1)',
      'data:text/html,hi',
      'myapp:/cb',
      'app.example.com/cb',
      '/cb',
      'https://app.example.com/cb,nonsense',
    ])('refuses %s, naming the variable', (value) => {
      const error = failure({ LOGIN_REDIRECT_URIS: value });
      expect(error.variable).toBe('LOGIN_REDIRECT_URIS');
      expect(error.message.startsWith('LOGIN_REDIRECT_URIS ')).toBe(true);
    });
  });
});

describe('isAllowedRedirectUri', () => {
  const allowed = [
    'https://app.example.com/cb',
    'https://app.example.com:8443/other?tab=1',
    'http://127.0.0.1/native',
    'http://[::1]:4000/native6',
    'http://localhost:5173/dev',
    'com.example.app:/oauth2redirect',
  ];
  const allowedIs = (candidate: string) => isAllowedRedirectUri(allowed, candidate);

  it.each([
    'https://app.example.com/cb',
    'https://app.example.com:8443/other?tab=1',
    'http://localhost:5173/dev',
    'com.example.app:/oauth2redirect',
  ])('takes the exact URI %s', (candidate) => {
    expect(allowedIs(candidate)).toBe(true);
  });

  it.each([
    // the same URI to a browser: hosts are case-insensitive, 443 is https's default port
    'https://APP.Example.COM/cb',
    'https://app.example.com:443/cb',
  ])('takes %s, which the URL parser writes as an allowed entry', (candidate) => {
    expect(allowedIs(candidate)).toBe(true);
  });

  it.each([
    ['a trailing slash', 'https://app.example.com/cb/'],
    ['a longer path (no prefixes)', 'https://app.example.com/cb/more'],
    ['a shorter path', 'https://app.example.com/'],
    ['a query', 'https://app.example.com/cb?x=1'],
    ['an empty query', 'https://app.example.com/cb?'],
    ['another query', 'https://app.example.com:8443/other?tab=2'],
    ['no query', 'https://app.example.com:8443/other'],
    ['a fragment', 'https://app.example.com/cb#x'],
    ['an empty fragment', 'https://app.example.com/cb#'],
    ['userinfo', 'https://user@app.example.com/cb'],
    ['userinfo hiding another host', 'https://app.example.com@evil.example/cb'],
    ['a backslash trick', 'https://evil.example\\@app.example.com/cb'],
    ['another port, not loopback', 'https://app.example.com:444/cb'],
    ['another port on the https entry', 'https://app.example.com:9443/other?tab=1'],
    ['http instead of https', 'http://app.example.com/cb'],
    ['a subdomain', 'https://evil.app.example.com/cb'],
    ['a suffix domain', 'https://app.example.com.evil.example/cb'],
    ['an encoded path', 'https://app.example.com/%63b'],
    ['a dot segment leaving the path', 'https://app.example.com/cb/../evil'],
    ['localhost on another port (no port freedom)', 'http://localhost:5174/dev'],
    ['localhost for 127.0.0.1', 'http://localhost/native'],
    ['127.0.0.1 for localhost', 'http://127.0.0.1:5173/dev'],
    ['another loopback address', 'http://127.0.0.2/native'],
    ['https on a loopback http entry', 'https://127.0.0.1/native'],
    ['a loopback path with a trailing slash', 'http://127.0.0.1:8000/native/'],
    ['a loopback path with a query', 'http://127.0.0.1:8000/native?x=1'],
    ['userinfo on loopback', 'http://u@127.0.0.1:8000/native'],
    ['a fragment on loopback', 'http://127.0.0.1:8000/native#x'],
    ['another app scheme', 'com.example.evil:/oauth2redirect'],
    ['not a URI', 'not a uri'],
    ['nothing', ''],
  ])('refuses %s: %s', (_why, candidate) => {
    expect(allowedIs(candidate)).toBe(false);
  });

  it.each([
    'http://127.0.0.1/native',
    'http://127.0.0.1:80/native',
    'http://127.0.0.1:53121/native',
    'http://[::1]/native6',
    'http://[::1]:4000/native6',
    'http://[::1]:61000/native6',
  ])('gives a loopback IP entry any port (RFC 8252 §7.3): %s', (candidate) => {
    expect(allowedIs(candidate)).toBe(true);
  });

  it('keeps the loopback families apart', () => {
    expect(allowedIs('http://[::1]:4000/native')).toBe(false);
    expect(allowedIs('http://127.0.0.1:4000/native6')).toBe(false);
  });

  it('allows nothing with an empty list', () => {
    expect(isAllowedRedirectUri([], 'https://app.example.com/cb')).toBe(false);
  });
});

describe('isLoopbackHost', () => {
  it.each([
    ['127.0.0.1', true],
    ['[::1]', true],
    ['localhost', true],
    ['127.0.0.2', false],
    ['localhost.example.com', false],
    ['0.0.0.0', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
