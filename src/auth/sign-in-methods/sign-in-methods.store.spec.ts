import { describe, expect, it } from '@jest/globals';
import type { Identity } from '../../identities/identity.js';
import { decideUnlink } from './sign-in-methods.store.js';

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
const configured = (candidate: Identity): boolean => candidate.provider !== 'gone';
const acme = identity('i-acme', 'acme');
const acme2 = identity('i-acme-2', 'acme');
const gone = identity('i-gone', 'gone');

describe('decideUnlink', () => {
  it('unlinks an identity when the password remains', () => {
    expect(decideUnlink({ hasPassword: true, identities: [acme] }, acme.id, configured)).toEqual({
      outcome: 'unlinked',
      identity: acme,
    });
  });

  it('unlinks one of two identities that sign in, never the last', () => {
    const ways = { hasPassword: false, identities: [acme, acme2] };
    expect(decideUnlink(ways, acme.id, configured).outcome).toBe('unlinked');
    expect(decideUnlink({ ...ways, identities: [acme2] }, acme2.id, configured).outcome).toBe(
      'last_method',
    );
  });

  it('does not count an identity of a provider no longer configured as a way in', () => {
    const ways = { hasPassword: false, identities: [acme, gone] };
    expect(decideUnlink(ways, acme.id, configured).outcome).toBe('last_method');
    // …and always lets it go, even from an account left with no way in at all.
    expect(decideUnlink(ways, gone.id, configured).outcome).toBe('unlinked');
    expect(decideUnlink({ ...ways, identities: [gone] }, gone.id, configured).outcome).toBe(
      'unlinked',
    );
  });

  it('answers not_found for an id the account does not have', () => {
    expect(decideUnlink({ hasPassword: true, identities: [acme] }, 'other', configured)).toEqual({
      outcome: 'not_found',
    });
  });
});
