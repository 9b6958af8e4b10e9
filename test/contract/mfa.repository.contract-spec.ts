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
const T0 = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
const at = (ms: number) => new Date(T0.getTime() + ms);
/** A TOTP time step (30 s steps since the epoch) around T0. */
const STEP = Math.floor(T0.getTime() / 30_000);
const aHash = () => randomBytes(32).toString('hex');

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

  const aUserId = async () => {
    const { username, email } = aUser();
    return (await users.create({ username, email, passwordHash: 'x' })).id;
  };

  /** A challenge of a (by default new) user, live until `expiresAt` (five minutes from now). */
  const aChallenge = async (expiresAt = new Date(Date.now() + 5 * MINUTE), userId?: string) => {
    const owner = userId ?? (await aUserId());
    const tokenHash = aHash();
    await mfa.createChallenge({
      tokenHash,
      userId: owner,
      expiresAt,
      firstFactor: 'pwd',
      idp: null,
    });
    return { tokenHash, userId: owner };
  };

  /** A new user with MFA on since `T0`, the confirming code at `STEP`, with these codes. */
  const anEnabledUser = async (codes: readonly string[] = [aHash(), aHash()]) => {
    const userId = await aUserId();
    expect(await mfa.savePending(userId, 'sealed-secret', T0)).toBe(true);
    expect(await mfa.enable(userId, STEP, codes, T0)).toBe(true);
    return { userId, codes };
  };

  describe('factors', () => {
    it('stores a pending factor, found by its user; none for a user without one', async () => {
      const userId = await aUserId();
      expect(await mfa.findFactor(userId)).toBeUndefined();
      expect(await mfa.savePending(userId, 'sealed-1', T0)).toBe(true);
      expect(await mfa.findFactor(userId)).toEqual({
        userId,
        sealedSecret: 'sealed-1',
        createdAt: T0,
        enabledAt: null,
        lastStep: null,
      });
    });

    it('replaces a pending factor with a new secret', async () => {
      const userId = await aUserId();
      await mfa.savePending(userId, 'sealed-1', T0);
      const later = at(MINUTE);
      expect(await mfa.savePending(userId, 'sealed-2', later)).toBe(true);
      expect(await mfa.findFactor(userId)).toMatchObject({
        sealedSecret: 'sealed-2',
        createdAt: later,
        enabledAt: null,
      });
    });

    it('enables the pending factor once, remembering the confirming step', async () => {
      const userId = await aUserId();
      await mfa.savePending(userId, 'sealed-1', T0);
      const enabledAt = at(MINUTE);
      expect(await mfa.enable(userId, STEP, [aHash()], enabledAt)).toBe(true);
      expect(await mfa.findFactor(userId)).toEqual({
        userId,
        sealedSecret: 'sealed-1',
        createdAt: T0,
        enabledAt,
        lastStep: STEP,
      });
      // Already on: nothing changes.
      expect(await mfa.enable(userId, STEP + 5, [aHash()], at(2 * MINUTE))).toBe(false);
      expect(await mfa.findFactor(userId)).toMatchObject({ enabledAt, lastStep: STEP });
    });

    it('enables nothing for a user without a pending factor', async () => {
      const userId = await aUserId();
      expect(await mfa.enable(userId, STEP, [aHash()], T0)).toBe(false);
      expect(await mfa.findFactor(userId)).toBeUndefined();
    });

    it('never replaces an enabled factor with a pending one', async () => {
      const { userId } = await anEnabledUser();
      expect(await mfa.savePending(userId, 'sealed-other', at(MINUTE))).toBe(false);
      expect(await mfa.findFactor(userId)).toMatchObject({
        sealedSecret: 'sealed-secret',
        createdAt: T0,
        enabledAt: T0,
        lastStep: STEP,
      });
    });

    it('disables: the factor and its recovery codes are gone, and it can be set up again', async () => {
      const { userId, codes } = await anEnabledUser();
      await mfa.disable(userId);
      expect(await mfa.findFactor(userId)).toBeUndefined();
      expect(await mfa.useRecoveryCode(userId, codes[0]!, T0)).toBe(false);
      expect(await mfa.savePending(userId, 'sealed-again', at(MINUTE))).toBe(true);
      expect(await mfa.findFactor(userId)).toMatchObject({
        sealedSecret: 'sealed-again',
        enabledAt: null,
      });
      // Disabling a user without a factor is a no-op.
      await mfa.disable(await aUserId());
    });

    it('counts the users with MFA on, not those with a pending factor', async () => {
      const before = await mfa.countEnabled();
      const { userId } = await anEnabledUser();
      await anEnabledUser();
      await mfa.savePending(await aUserId(), 'sealed-pending', T0);
      expect(await mfa.countEnabled()).toBe(before + 2);
      await mfa.disable(userId);
      expect(await mfa.countEnabled()).toBe(before + 1);
    });
  });

  describe('acceptStep', () => {
    it('accepts only a step later than the last accepted one', async () => {
      const { userId } = await anEnabledUser();
      expect(await mfa.acceptStep(userId, STEP)).toBe(false);
      expect(await mfa.acceptStep(userId, STEP - 1)).toBe(false);
      expect(await mfa.acceptStep(userId, STEP + 1)).toBe(true);
      expect((await mfa.findFactor(userId))?.lastStep).toBe(STEP + 1);
      expect(await mfa.acceptStep(userId, STEP + 1)).toBe(false);
      expect(await mfa.acceptStep(userId, STEP + 3)).toBe(true);
      expect((await mfa.findFactor(userId))?.lastStep).toBe(STEP + 3);
    });

    it('accepts a step once when the same code races (RFC 6238 §5.2)', async () => {
      const { userId } = await anEnabledUser();
      const accepted = await Promise.all(
        Array.from({ length: 10 }, () => mfa.acceptStep(userId, STEP + 1)),
      );
      expect(accepted.filter(Boolean)).toHaveLength(1);
    });

    it('accepts nothing for a user without a factor', async () => {
      const userId = await aUserId();
      expect(await mfa.acceptStep(userId, STEP)).toBe(false);
      expect(await mfa.findFactor(userId)).toBeUndefined();
    });
  });

  describe('recovery codes', () => {
    it('spends each of the codes enable stored once, and no other', async () => {
      const { userId, codes } = await anEnabledUser();
      expect(await mfa.useRecoveryCode(userId, aHash(), T0)).toBe(false);
      expect(await mfa.useRecoveryCode(userId, codes[0]!, T0)).toBe(true);
      expect(await mfa.useRecoveryCode(userId, codes[0]!, at(MINUTE))).toBe(false);
      expect(await mfa.useRecoveryCode(userId, codes[1]!, at(MINUTE))).toBe(true);
    });

    it('never spends another user’s code', async () => {
      const mine = await anEnabledUser();
      const theirs = await anEnabledUser();
      expect(await mfa.useRecoveryCode(theirs.userId, mine.codes[0]!, T0)).toBe(false);
      expect(await mfa.useRecoveryCode(mine.userId, mine.codes[0]!, T0)).toBe(true);
    });

    it('spends a code once when two uses race', async () => {
      const { userId, codes } = await anEnabledUser();
      const used = await Promise.all(
        Array.from({ length: 10 }, () => mfa.useRecoveryCode(userId, codes[0]!, T0)),
      );
      expect(used.filter(Boolean)).toHaveLength(1);
    });

    it('replaces every code, spent or not, with the new set', async () => {
      const { userId, codes } = await anEnabledUser();
      expect(await mfa.useRecoveryCode(userId, codes[0]!, T0)).toBe(true);
      const fresh = [aHash(), aHash()];
      await mfa.replaceRecoveryCodes(userId, fresh);
      expect(await mfa.useRecoveryCode(userId, codes[1]!, T0)).toBe(false);
      expect(await mfa.useRecoveryCode(userId, fresh[0]!, T0)).toBe(true);
      expect(await mfa.useRecoveryCode(userId, fresh[1]!, T0)).toBe(true);
      // An empty set leaves none.
      const last = [aHash()];
      await mfa.replaceRecoveryCodes(userId, last);
      await mfa.replaceRecoveryCodes(userId, []);
      expect(await mfa.useRecoveryCode(userId, last[0]!, T0)).toBe(false);
    });

    it('enabling again after a disable stores only the new codes', async () => {
      const { userId, codes } = await anEnabledUser();
      await mfa.disable(userId);
      await mfa.savePending(userId, 'sealed-again', T0);
      const fresh = [aHash()];
      expect(await mfa.enable(userId, STEP, fresh, T0)).toBe(true);
      expect(await mfa.useRecoveryCode(userId, codes[0]!, T0)).toBe(false);
      expect(await mfa.useRecoveryCode(userId, fresh[0]!, T0)).toBe(true);
    });
  });

  describe('challenges', () => {
    it('creates a challenge with no failures, unused, found by its hash; none for an unknown hash', async () => {
      const expiresAt = at(5 * MINUTE);
      const { tokenHash, userId } = await aChallenge(expiresAt);
      expect(await mfa.findChallenge(tokenHash)).toEqual({
        tokenHash,
        userId,
        expiresAt,
        failures: 0,
        usedAt: null,
        firstFactor: 'pwd',
        idp: null,
      });
      expect(await mfa.findChallenge(aHash())).toBeUndefined();
    });

    it('keeps the first factor a challenge follows: a provider sign-in, and which provider', async () => {
      const userId = await aUserId();
      const tokenHash = aHash();
      const expiresAt = at(5 * MINUTE);
      await mfa.createChallenge({ tokenHash, userId, expiresAt, firstFactor: 'fed', idp: 'acme' });
      expect(await mfa.findChallenge(tokenHash)).toEqual(
        expect.objectContaining({ firstFactor: 'fed', idp: 'acme' }),
      );
    });
  });

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

  describe('deleteExpiredChallenges', () => {
    it('deletes the challenges that expired before the cutoff, and only those', async () => {
      const cutoff = at(10 * MINUTE);
      const expired = await aChallenge(at(10 * MINUTE - 1));
      const atCutoff = await aChallenge(cutoff);
      const live = await aChallenge(at(11 * MINUTE));
      await mfa.deleteExpiredChallenges(cutoff);
      expect(await mfa.findChallenge(expired.tokenHash)).toBeUndefined();
      expect(await mfa.findChallenge(atCutoff.tokenHash)).toBeDefined();
      expect(await mfa.findChallenge(live.tokenHash)).toBeDefined();
    });
  });

  describe('endChallengesOf', () => {
    it('ends every challenge of the user, spent or not, and no one else’s', async () => {
      const now = new Date();
      const first = await aChallenge();
      const second = await aChallenge(undefined, first.userId);
      expect(await mfa.spendChallenge(second.tokenHash, now)).toBe(true);
      const other = await aChallenge();
      await mfa.endChallengesOf(first.userId);
      expect(await mfa.findChallenge(first.tokenHash)).toBeUndefined();
      expect(await mfa.findChallenge(second.tokenHash)).toBeUndefined();
      expect(await mfa.takeChallengeAttempt(first.tokenHash, now, MAX)).toBeUndefined();
      expect(await mfa.findChallenge(other.tokenHash)).toMatchObject({
        userId: other.userId,
        usedAt: null,
      });
    });
  });
});
