import { describe, expect, it } from '@jest/globals';
import { failure, fromEnv } from '../../test/support/config.js';

const PUBLIC_URL = 'https://api.example.com';

describe('AppConfig.fromEnv: passkeys (WebAuthn)', () => {
  it('is off without WEBAUTHN_RP_ID, whatever else is set', () => {
    expect(fromEnv({ PUBLIC_URL }).webauthn).toBeUndefined();
    expect(
      fromEnv({ PUBLIC_URL, WEBAUTHN_ORIGINS: 'https://app.example.com', WEBAUTHN_RP_NAME: 'X' })
        .webauthn,
    ).toBeUndefined();
  });

  it('defaults the name to MFA_ISSUER and the origins to the origin of PUBLIC_URL', () => {
    expect(
      fromEnv({ PUBLIC_URL: `${PUBLIC_URL}/auth`, WEBAUTHN_RP_ID: 'example.com' }).webauthn,
    ).toEqual({
      rpId: 'example.com',
      rpName: 'api.example.com',
      origins: ['https://api.example.com'],
    });
    expect(
      fromEnv({ PUBLIC_URL, MFA_ISSUER: 'Example', WEBAUTHN_RP_ID: 'example.com' }).webauthn
        ?.rpName,
    ).toBe('Example');
  });

  it('reads a name, and origins on the RP id and its subdomains (lower-cased, deduplicated)', () => {
    expect(
      fromEnv({
        PUBLIC_URL,
        WEBAUTHN_RP_ID: 'Example.COM',
        WEBAUTHN_RP_NAME: 'Example Inc.',
        WEBAUTHN_ORIGINS:
          'https://app.example.com, https://example.com:8443,https://APP.example.com/, https://a.b.example.com',
      }).webauthn,
    ).toEqual({
      rpId: 'example.com',
      rpName: 'Example Inc.',
      origins: ['https://app.example.com', 'https://example.com:8443', 'https://a.b.example.com'],
    });
  });

  it('accepts http://localhost with any port, for development', () => {
    expect(
      fromEnv({
        WEBAUTHN_RP_ID: 'localhost',
        WEBAUTHN_ORIGINS: 'http://localhost:5173,http://localhost',
      }).webauthn?.origins,
    ).toEqual(['http://localhost:5173', 'http://localhost']);
  });

  it('refuses an RP id that is an IP address, saying why', () => {
    for (const rpId of ['127.0.0.1', '::1', '[::1]', '203.0.113.7']) {
      const error = failure({ PUBLIC_URL, WEBAUTHN_RP_ID: rpId });
      expect(error.variable).toBe('WEBAUTHN_RP_ID');
      expect(error.message).toContain('not an IP address');
    }
  });

  it('refuses an RP id with a scheme, a port or a path', () => {
    for (const rpId of [
      'https://example.com',
      'example.com:443',
      'example.com/x',
      '.example.com',
      'exa mple.com',
    ]) {
      expect(failure({ PUBLIC_URL, WEBAUTHN_RP_ID: rpId }).variable).toBe('WEBAUTHN_RP_ID');
    }
  });

  it('refuses an origin outside the RP id’s domain', () => {
    for (const origin of [
      'https://example.org',
      'https://notexample.com',
      'https://example.com.evil.test',
    ]) {
      const error = failure({
        PUBLIC_URL,
        WEBAUTHN_RP_ID: 'example.com',
        WEBAUTHN_ORIGINS: origin,
      });
      expect(error.variable).toBe('WEBAUTHN_ORIGINS');
      expect(error.message).toContain('on WEBAUTHN_RP_ID "example.com"');
    }
  });

  it('refuses a plain-http origin other than localhost, and says so for the default from PUBLIC_URL', () => {
    const listed = failure({
      PUBLIC_URL,
      WEBAUTHN_RP_ID: 'example.com',
      WEBAUTHN_ORIGINS: 'http://app.example.com',
    });
    expect(listed.variable).toBe('WEBAUTHN_ORIGINS');
    expect(listed.message).toContain('must be https origins');
    const derived = failure({
      PUBLIC_URL: 'http://api.example.com',
      WEBAUTHN_RP_ID: 'example.com',
    });
    expect(derived.variable).toBe('WEBAUTHN_ORIGINS');
    expect(derived.message).toContain('the origin of PUBLIC_URL');
    // Unset PUBLIC_URL is http://127.0.0.1:3000: outside any domain RP id.
    expect(failure({ WEBAUTHN_RP_ID: 'localhost' }).variable).toBe('WEBAUTHN_ORIGINS');
  });

  it('refuses an origin with a path, a query, credentials or another scheme', () => {
    for (const origin of [
      'https://app.example.com/login',
      'https://app.example.com?x',
      'https://u:p@app.example.com',
      'android:apk-key-hash:abc',
      'app.example.com',
    ]) {
      expect(
        failure({ PUBLIC_URL, WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: origin }).variable,
      ).toBe('WEBAUTHN_ORIGINS');
    }
  });
});
