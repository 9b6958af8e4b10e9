import { describe, expect, it } from '@jest/globals';
import type { Identity } from '../../identities/identity.js';
import type { Passkey } from '../../passkeys/passkey.js';
import { decideRemovePasskey, decideUnlink, type SignsIn } from './sign-in-methods.store.js';

const identity = (id: string, provider: string): Identity => ({
  id,
  userId: 'u1',
  provider,
  issuer: `https://${provider}.example`,
  subject: id,
  email: 'a@example.com',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  lastUsedAt: null,
});
const configured: SignsIn = {
  identity: (candidate: Identity): boolean => candidate.provider !== 'gone',
  passkeys: true,
};
const acme = identity('i-acme', 'acme');
const acme2 = identity('i-acme-2', 'acme');
const gone = identity('i-gone', 'gone');

describe('decideUnlink', () => {
  it('unlinks an identity when the password remains', () => {
    expect(
      decideUnlink({ hasPassword: true, identities: [acme], passkeys: [] }, acme.id, configured),
    ).toEqual({
      outcome: 'unlinked',
      identity: acme,
    });
  });

  it('unlinks one of two identities that sign in, never the last', () => {
    const ways = { hasPassword: false, identities: [acme, acme2], passkeys: [] };
    expect(decideUnlink(ways, acme.id, configured).outcome).toBe('unlinked');
    expect(decideUnlink({ ...ways, identities: [acme2] }, acme2.id, configured).outcome).toBe(
      'last_method',
    );
  });

  it('does not count an identity of a provider no longer configured as a way in', () => {
    const ways = { hasPassword: false, identities: [acme, gone], passkeys: [] };
    expect(decideUnlink(ways, acme.id, configured).outcome).toBe('last_method');
    // …and always lets it go, even from an account left with no way in at all.
    expect(decideUnlink(ways, gone.id, configured).outcome).toBe('unlinked');
    expect(decideUnlink({ ...ways, identities: [gone] }, gone.id, configured).outcome).toBe(
      'unlinked',
    );
  });

  it('answers not_found for an id the account does not have', () => {
    expect(
      decideUnlink({ hasPassword: true, identities: [acme], passkeys: [] }, 'other', configured),
    ).toEqual({
      outcome: 'not_found',
    });
  });
});

const passkey = (id: string): Passkey => ({
  id,
  userId: 'u1',
  credentialId: `cred-${id}`,
  publicKey: new Uint8Array([1]),
  signCount: 0,
  transports: [],
  backedUp: false,
  deviceType: 'singleDevice',
  name: 'Passkey',
  createdAt: new Date('2026-01-01T00:00:00Z'),
  lastUsedAt: null,
});
const phone = passkey('p-phone');
const key = passkey('p-key');
const passkeysOff: SignsIn = { ...configured, passkeys: false };

describe('decideUnlink with passkeys', () => {
  it('lets the last identity go when a passkey remains, but not while passkeys are off', () => {
    const ways = { hasPassword: false, identities: [acme], passkeys: [phone] };
    expect(decideUnlink(ways, acme.id, configured).outcome).toBe('unlinked');
    expect(decideUnlink(ways, acme.id, passkeysOff).outcome).toBe('last_method');
  });
});

describe('decideRemovePasskey', () => {
  it('removes a passkey when the password, an identity or another passkey remains', () => {
    expect(
      decideRemovePasskey(
        { hasPassword: true, identities: [], passkeys: [phone] },
        phone.id,
        configured,
      ),
    ).toEqual({ outcome: 'removed', passkey: phone });
    expect(
      decideRemovePasskey(
        { hasPassword: false, identities: [acme], passkeys: [phone] },
        phone.id,
        configured,
      ).outcome,
    ).toBe('removed');
    expect(
      decideRemovePasskey(
        { hasPassword: false, identities: [], passkeys: [phone, key] },
        phone.id,
        configured,
      ).outcome,
    ).toBe('removed');
  });

  it('never removes the last way in, and an identity of a removed provider is no way in', () => {
    expect(
      decideRemovePasskey(
        { hasPassword: false, identities: [], passkeys: [phone] },
        phone.id,
        configured,
      ).outcome,
    ).toBe('last_method');
    expect(
      decideRemovePasskey(
        { hasPassword: false, identities: [gone], passkeys: [phone] },
        phone.id,
        configured,
      ).outcome,
    ).toBe('last_method');
  });

  it('lets a passkey go whenever passkeys are off (it signs nobody in then)', () => {
    expect(
      decideRemovePasskey(
        { hasPassword: false, identities: [], passkeys: [phone] },
        phone.id,
        passkeysOff,
      ).outcome,
    ).toBe('removed');
  });

  it('answers not_found for an id the account does not have', () => {
    expect(
      decideRemovePasskey(
        { hasPassword: true, identities: [], passkeys: [phone] },
        key.id,
        configured,
      ),
    ).toEqual({ outcome: 'not_found' });
  });
});
