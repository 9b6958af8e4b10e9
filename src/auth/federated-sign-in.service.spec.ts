import { describe, expect, it } from '@jest/globals';
import { usernameCandidates } from './federated-sign-in.service.js';

const first = (claims: { preferred_username?: string }, email: string, count: number) => {
  const names: string[] = [];
  for (const name of usernameCandidates(claims, email)) {
    names.push(name);
    if (names.length === count) break;
  }
  return names;
};

describe('usernameCandidates: a new account’s username under the signup rules', () => {
  it('tries preferred_username, then it with -2, -3…', () => {
    expect(first({ preferred_username: 'alice' }, 'a@example.com', 3)).toEqual([
      'alice',
      'alice-2',
      'alice-3',
    ]);
  });

  it('takes the address’s local part when preferred_username breaks the rules or is absent', () => {
    expect(first({ preferred_username: 'al ice' }, 'bob.smith@example.com', 1)).toEqual([
      'bob.smith',
    ]);
    expect(first({}, 'carol@example.com', 1)).toEqual(['carol']);
  });

  it('folds full-width forms to ASCII (NFKC), as signup does', () => {
    expect(first({ preferred_username: 'ｊｏｈｎ' }, 'j@example.com', 1)).toEqual(['john']);
  });

  it('keeps a suffixed name within 32 characters', () => {
    const long = 'a'.repeat(32);
    for (const name of first({ preferred_username: long }, 'x@example.com', 22)) {
      expect(name.length).toBeLessThanOrEqual(32);
    }
  });

  it('falls back to user-<random> when neither fits, and after the suffixes run out', () => {
    const [name] = first({ preferred_username: 'ab' }, 'é@example.com', 1);
    expect(name).toMatch(/^user-[0-9a-f]{12}$/);
    const all = [...usernameCandidates({ preferred_username: 'dave' }, 'd@example.com')];
    expect(all.at(-1)).toMatch(/^user-[0-9a-f]+$/);
    expect(all.every((candidate) => /^[A-Za-z0-9_.-]{3,32}$/.test(candidate))).toBe(true);
  });
});
