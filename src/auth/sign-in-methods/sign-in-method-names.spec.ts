import { describe, expect, it } from '@jest/globals';
import { eventSignInMethod, sessionSignInMethod } from './sign-in-method-names.js';

describe('sign-in method names', () => {
  it('names a passkey login event `passkey`, beside a password and a provider', () => {
    expect(eventSignInMethod({ method: 'passkey', idp: null })).toBe('passkey');
    expect(eventSignInMethod({ method: 'pwd', idp: null })).toBe('password');
    expect(eventSignInMethod({ method: 'fed', idp: 'acme' })).toBe('oidc:acme');
    expect(eventSignInMethod({ method: null, idp: null })).toBeNull();
  });

  it('names a session whose amr proves possession of a key (a passkey) `passkey`', () => {
    expect(sessionSignInMethod({ amr: ['pop', 'user', 'mfa'], idp: null })).toBe('passkey');
    expect(sessionSignInMethod({ amr: ['pwd', 'otp'], idp: null })).toBe('password');
    expect(sessionSignInMethod({ amr: ['fed', 'mfa'], idp: 'acme' })).toBe('oidc:acme');
  });
});
