import { describe, expect, it } from '@jest/globals';
import { identityClaims, needsUserInfo } from './oidc-identity.js';

const ISS = 'https://id.example.com';

describe('identityClaims', () => {
  it('takes the identity from the ID token, and nothing else of it', () => {
    const claims = identityClaims(
      {
        iss: ISS,
        sub: 'u1',
        aud: 'client',
        nonce: 'n',
        email: 'a@example.com',
        email_verified: true,
        preferred_username: 'alice',
        amr: ['pwd'],
      },
      undefined,
    );
    expect(claims).toEqual({
      iss: ISS,
      sub: 'u1',
      email: 'a@example.com',
      email_verified: true,
      preferred_username: 'alice',
    });
  });

  it('takes email, email_verified and preferred_username from UserInfo when the ID token lacks them', () => {
    const claims = identityClaims(
      { iss: ISS, sub: 'u1' },
      { sub: 'u1', email: 'a@example.com', email_verified: true, preferred_username: 'alice' },
    );
    expect(claims).toEqual({
      iss: ISS,
      sub: 'u1',
      email: 'a@example.com',
      email_verified: true,
      preferred_username: 'alice',
    });
  });

  it('prefers the signed ID token where both have a claim', () => {
    const claims = identityClaims(
      { iss: ISS, sub: 'u1', email: 'token@example.com', email_verified: false },
      { sub: 'u1', email: 'userinfo@example.com', email_verified: true },
    );
    expect(claims).toEqual(
      expect.objectContaining({ email: 'token@example.com', email_verified: false }),
    );
  });

  it.each([
    ['absent', false, undefined],
    ['false', false, false],
    ['the string "true"', true, 'true'],
    ['the string "false"', false, 'false'],
    ['1', false, 1],
  ])('email_verified %s: verified %s', (_name, expected, value) => {
    expect(
      identityClaims(
        { iss: ISS, sub: 'u1', email: 'a@example.com', email_verified: value },
        undefined,
      ).email_verified,
    ).toBe(expected);
  });

  it('has no address, and so nothing verified, when neither source gives a non-empty one', () => {
    const claims = identityClaims({ iss: ISS, sub: 'u1', email: ' ', email_verified: true }, {});
    expect(claims).toEqual({ iss: ISS, sub: 'u1', email_verified: false });
  });

  it('refuses an ID token without iss or sub', () => {
    expect(() => identityClaims({ sub: 'u1' }, undefined)).toThrow();
    expect(() => identityClaims({ iss: ISS, sub: '' }, undefined)).toThrow();
  });

  it('asks UserInfo only when the ID token lacks email or email_verified', () => {
    expect(needsUserInfo({ sub: 'u1' })).toBe(true);
    expect(needsUserInfo({ sub: 'u1', email: 'a@example.com' })).toBe(true);
    expect(needsUserInfo({ sub: 'u1', email: 'a@example.com', email_verified: false })).toBe(false);
  });
});
