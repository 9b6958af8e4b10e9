import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MfaRepository } from '../../src/mfa/mfa.repository.js';
import { InMemoryMfaRepository } from '../../src/mfa/repositories/in-memory.mfa.repository.js';
import { SqlMfaRepository } from '../../src/mfa/repositories/sql.mfa.repository.js';
import { InMemoryUsersRepository } from '../../src/users/repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from '../../src/users/repositories/sql.users.repository.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';
import { aUser } from '../support/users.factory.js';

const MINUTE = 60_000;
const MAX = 5;

describe.each(STORES)('MfaRepository contract: %s', (_name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let mfa: MfaRepository;
  let users: UsersRepository;

  beforeAll(async () => {
    store = await open();
    mfa = store.db ? new SqlMfaRepository(store.db) : new InMemoryMfaRepository();
    users = store.db ? new SqlUsersRepository(store.db) : new InMemoryUsersRepository();
  });
  afterAll(() => store.close());

  /** A challenge of a new user, live until `expiresAt` (five minutes from now by default). */
  const aChallenge = async (expiresAt = new Date(Date.now() + 5 * MINUTE)) => {
    const { username, email } = aUser();
    const user = await users.create({ username, email, passwordHash: 'x' });
    const tokenHash = randomBytes(32).toString('hex');
    await mfa.createChallenge({ tokenHash, userId: user.id, expiresAt });
    return { tokenHash, userId: user.id };
  };

  describe('takeChallengeAttempt', () => {
    it('counts each attempt and answers the challenge’s user, up to the limit, then refuses', async () => {
      const { tokenHash, userId } = await aChallenge();
      const now = new Date();
      for (let i = 1; i <= MAX; i += 1) {
        expect(await mfa.takeChallengeAttempt(tokenHash, now, MAX)).toBe(userId);
        expect((await mfa.findChallenge(tokenHash))?.failures).toBe(i);
      }
      expect(await mfa.takeChallengeAttempt(tokenHash, now, MAX)).toBeUndefined();
      // A refused attempt counts nothing.
      expect((await mfa.findChallenge(tokenHash))?.failures).toBe(MAX);
    });

    it('lets no more than the limit through when attempts race', async () => {
      const { tokenHash, userId } = await aChallenge();
      const now = new Date();
      const taken = await Promise.all(
        Array.from({ length: 30 }, () => mfa.takeChallengeAttempt(tokenHash, now, MAX)),
      );
      expect(taken.filter((id) => id === userId)).toHaveLength(MAX);
      expect(taken.filter((id) => id === undefined)).toHaveLength(30 - MAX);
      expect((await mfa.findChallenge(tokenHash))?.failures).toBe(MAX);
    });

    it('refuses an unknown, a spent or an expired challenge', async () => {
      const now = new Date();
      expect(await mfa.takeChallengeAttempt('no-such-hash', now, MAX)).toBeUndefined();

      const spent = await aChallenge();
      expect(await mfa.spendChallenge(spent.tokenHash, now)).toBe(true);
      expect(await mfa.takeChallengeAttempt(spent.tokenHash, now, MAX)).toBeUndefined();

      const expiring = await aChallenge(new Date(now.getTime() + MINUTE));
      expect(await mfa.takeChallengeAttempt(expiring.tokenHash, now, MAX)).toBe(expiring.userId);
      const atExpiry = new Date(now.getTime() + MINUTE);
      expect(await mfa.takeChallengeAttempt(expiring.tokenHash, atExpiry, MAX)).toBeUndefined();
      expect((await mfa.findChallenge(expiring.tokenHash))?.failures).toBe(1);
    });
  });

  describe('spendChallenge', () => {
    it('spends a live challenge once', async () => {
      const { tokenHash } = await aChallenge();
      const now = new Date();
      const spent = await Promise.all([
        mfa.spendChallenge(tokenHash, now),
        mfa.spendChallenge(tokenHash, now),
      ]);
      expect(spent.filter(Boolean)).toHaveLength(1);
      expect((await mfa.findChallenge(tokenHash))?.usedAt).toEqual(now);
    });

    it('never spends an expired challenge', async () => {
      const now = new Date();
      const { tokenHash } = await aChallenge(new Date(now.getTime() + MINUTE));
      expect(await mfa.spendChallenge(tokenHash, new Date(now.getTime() + MINUTE))).toBe(false);
      expect((await mfa.findChallenge(tokenHash))?.usedAt).toBeNull();
    });
  });
});
