import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PasskeyConflictError, type NewPasskey } from '../../src/passkeys/passkey.js';
import type { PasskeysRepository } from '../../src/passkeys/passkeys.repository.js';
import { InMemoryPasskeysRepository } from '../../src/passkeys/repositories/in-memory.passkeys.repository.js';
import { InMemoryWebauthnChallengesRepository } from '../../src/passkeys/repositories/in-memory.webauthn-challenges.repository.js';
import { SqlPasskeysRepository } from '../../src/passkeys/repositories/sql.passkeys.repository.js';
import { SqlWebauthnChallengesRepository } from '../../src/passkeys/repositories/sql.webauthn-challenges.repository.js';
import type { WebauthnChallenge } from '../../src/passkeys/webauthn-challenge.js';
import type { WebauthnChallengesRepository } from '../../src/passkeys/webauthn-challenges.repository.js';
import { InMemoryUsersRepository } from '../../src/users/repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from '../../src/users/repositories/sql.users.repository.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';
import { aUser } from '../support/users.factory.js';

const T0 = new Date(Date.UTC(2026, 11, 5, 12, 0, 0));
const at = (ms: number) => new Date(T0.getTime() + ms);
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000';

describe.each(STORES)(
  'PasskeysRepository and WebauthnChallengesRepository contract: %s',
  (_name, open) => {
    if (!open) return skipUnreachable();
    let store: StoreUnderTest;
    let passkeys: PasskeysRepository;
    let challenges: WebauthnChallengesRepository;
    let users: UsersRepository;

    beforeAll(async () => {
      store = await open();
      passkeys = store.db ? new SqlPasskeysRepository(store.db) : new InMemoryPasskeysRepository();
      challenges = store.db
        ? new SqlWebauthnChallengesRepository(store.db)
        : new InMemoryWebauthnChallengesRepository();
      users = store.db ? new SqlUsersRepository(store.db) : new InMemoryUsersRepository();
    });
    afterAll(() => store.close());

    const aUserId = async () => {
      const { username, email } = aUser();
      return (await users.create({ username, email, passwordHash: null })).id;
    };
    const aPasskey = (userId: string, overrides: Partial<NewPasskey> = {}): NewPasskey => ({
      userId,
      credentialId: randomBytes(16).toString('base64url'),
      publicKey: new Uint8Array(randomBytes(77)),
      // Above 2^31: the counter is an unsigned 32-bit number.
      signCount: 4_000_000_000,
      transports: ['hybrid', 'internal'],
      backedUp: true,
      deviceType: 'multiDevice',
      name: 'Phone',
      createdAt: T0,
      ...overrides,
    });
    const aChallenge = (overrides: Partial<WebauthnChallenge> = {}): WebauthnChallenge => ({
      id: randomUUID(),
      challenge: randomBytes(32).toString('base64url'),
      purpose: 'authentication',
      userId: null,
      expiresAt: at(300_000),
      ...overrides,
    });

    describe('passkeys', () => {
      it('adds a passkey and finds it by its credential id, never used yet, bytes intact', async () => {
        const input = aPasskey(await aUserId());
        const added = await passkeys.add(input);
        expect(added).toEqual({
          ...input,
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          lastUsedAt: null,
        });
        const found = await passkeys.findByCredentialId(input.credentialId);
        expect(found).toEqual(added);
        expect(Buffer.from(found!.publicKey).equals(Buffer.from(input.publicKey))).toBe(true);
        expect(await passkeys.findByCredentialId(`${input.credentialId}x`)).toBeUndefined();
        // Exact: base64url is case-sensitive.
        expect(await passkeys.findByCredentialId(input.credentialId.toUpperCase())).not.toEqual(
          added,
        );
      });

      it('lists an account’s passkeys oldest first, and only its own', async () => {
        const userId = await aUserId();
        const later = await passkeys.add(aPasskey(userId, { createdAt: at(2000) }));
        const first = await passkeys.add(
          aPasskey(userId, {
            createdAt: at(1000),
            transports: [],
            backedUp: false,
            deviceType: 'singleDevice',
            signCount: 0,
          }),
        );
        await passkeys.add(aPasskey(await aUserId()));
        expect(await passkeys.listForUser(userId)).toEqual([first, later]);
        expect(await passkeys.listForUser(await aUserId())).toEqual([]);
      });

      it('refuses a second registration of one credential id, to any account', async () => {
        const first = await passkeys.add(aPasskey(await aUserId()));
        for (const attempt of [
          aPasskey(first.userId, { credentialId: first.credentialId }),
          aPasskey(await aUserId(), { credentialId: first.credentialId }),
        ]) {
          await expect(passkeys.add(attempt)).rejects.toBeInstanceOf(PasskeyConflictError);
        }
        expect(await passkeys.findByCredentialId(first.credentialId)).toEqual(first);
      });

      it('lets exactly one of 10 concurrent registrations of one credential win', async () => {
        const credentialId = randomBytes(16).toString('base64url');
        const userIds = await Promise.all(Array.from({ length: 10 }, () => aUserId()));
        const outcomes = await Promise.allSettled(
          userIds.map((userId) => passkeys.add(aPasskey(userId, { credentialId }))),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
          expect(outcome.reason).toBeInstanceOf(PasskeyConflictError);
        }
      });

      it('renames and removes only the account’s own passkey', async () => {
        const userId = await aUserId();
        const kept = await passkeys.add(aPasskey(userId));
        const gone = await passkeys.add(aPasskey(userId));
        const other = await aUserId();
        expect(await passkeys.rename(other, kept.id, 'Stolen')).toBeUndefined();
        expect(await passkeys.rename(userId, NO_SUCH_ID, 'Nothing')).toBeUndefined();
        const renamed = await passkeys.rename(userId, kept.id, 'Laptop');
        expect(renamed).toEqual({ ...kept, name: 'Laptop' });
        expect(await passkeys.remove(other, gone.id)).toBe(false);
        expect(await passkeys.remove(userId, gone.id)).toBe(true);
        expect(await passkeys.remove(userId, gone.id)).toBe(false);
        expect(await passkeys.listForUser(userId)).toEqual([renamed]);
        expect(await passkeys.findByCredentialId(gone.credentialId)).toBeUndefined();
        // Its credential id is free again.
        await passkeys.add(aPasskey(other, { credentialId: gone.credentialId }));
      });

      it('removes every passkey of an account and its handle, answering them oldest first', async () => {
        const userId = await aUserId();
        const second = await passkeys.add(aPasskey(userId, { createdAt: at(2000) }));
        const first = await passkeys.add(aPasskey(userId, { createdAt: at(1000) }));
        await passkeys.ensureUserHandle(userId, randomBytes(32).toString('base64url'));
        const someoneElse = await passkeys.add(aPasskey(await aUserId()));
        expect(await passkeys.removeAllForUser(userId)).toEqual([first, second]);
        expect(await passkeys.listForUser(userId)).toEqual([]);
        expect(await passkeys.findUserHandle(userId)).toBeUndefined();
        expect(await passkeys.removeAllForUser(userId)).toEqual([]);
        expect(await passkeys.listForUser(someoneElse.userId)).toEqual([someoneElse]);
      });

      it('records a sign-in: counter, backup state and time', async () => {
        const added = await passkeys.add(
          aPasskey(await aUserId(), { signCount: 5, backedUp: false }),
        );
        await passkeys.recordUse(added.id, {
          signCount: 4_294_967_295,
          backedUp: true,
          at: at(60_000),
        });
        expect(await passkeys.findByCredentialId(added.credentialId)).toEqual({
          ...added,
          signCount: 4_294_967_295,
          backedUp: true,
          lastUsedAt: at(60_000),
        });
        await passkeys.recordUse(NO_SUCH_ID, { signCount: 1, backedUp: false, at: at(0) });
      });

      it('keeps one user handle per account: the first stored wins, and each is unique', async () => {
        const userId = await aUserId();
        expect(await passkeys.findUserHandle(userId)).toBeUndefined();
        const candidates = Array.from({ length: 5 }, () => randomBytes(32).toString('base64url'));
        const answers = await Promise.all(
          candidates.map((candidate) => passkeys.ensureUserHandle(userId, candidate)),
        );
        expect(new Set(answers).size).toBe(1);
        expect(candidates).toContain(answers[0]);
        expect(await passkeys.findUserHandle(userId)).toBe(answers[0]);
        const other = await aUserId();
        expect(await passkeys.ensureUserHandle(other, 'another-handle')).toBe('another-handle');
      });

      it('(SQL) goes with its account: passkeys and handle, by the foreign keys', async () => {
        const db = store.db;
        if (!db) return; // the memory store has no foreign keys; account deletion removes them there
        const userId = await aUserId();
        const added = await passkeys.add(aPasskey(userId));
        await passkeys.ensureUserHandle(userId, randomBytes(32).toString('base64url'));
        await challenges.create(aChallenge({ purpose: 'registration', userId }));
        await db
          .transaction()
          .execute(async (trx) => {
            expect(await new SqlPasskeysRepository(trx).remove(userId, added.id)).toBe(true);
            throw new Error('roll back');
          })
          .catch(() => undefined);
        expect(await passkeys.listForUser(userId)).toEqual([added]);

        expect((await users.delete(userId, T0, T0)).outcome).toBe('done');
        expect(await passkeys.findByCredentialId(added.credentialId)).toBeUndefined();
        expect(await passkeys.findUserHandle(userId)).toBeUndefined();
        const left = await db
          .selectFrom('webauthn_challenges')
          .select('id')
          .where('user_id', '=', userId)
          .execute();
        expect(left).toEqual([]);
      });
    });

    describe('challenges', () => {
      it('takes a sign-in challenge once, by its id', async () => {
        const challenge = aChallenge();
        await challenges.create(challenge);
        expect(await challenges.takeAuthentication(challenge.id, T0)).toEqual(challenge);
        expect(await challenges.takeAuthentication(challenge.id, T0)).toBeNull();
        expect(await challenges.takeAuthentication(NO_SUCH_ID, T0)).toBeNull();
      });

      it('answers null for an expired challenge, and spends it all the same', async () => {
        const challenge = aChallenge({ expiresAt: at(1000) });
        await challenges.create(challenge);
        expect(await challenges.takeAuthentication(challenge.id, at(1000))).toBeNull();
        expect(await challenges.takeAuthentication(challenge.id, T0)).toBeNull();
      });

      it('never takes a registration challenge as a sign-in one, nor the reverse', async () => {
        const userId = await aUserId();
        const registration = aChallenge({ purpose: 'registration', userId });
        const signIn = aChallenge();
        await challenges.create(registration);
        await challenges.create(signIn);
        expect(await challenges.takeAuthentication(registration.id, T0)).toBeNull();
        expect(await challenges.takeRegistration(userId, signIn.challenge, T0)).toBeNull();
        // Both are still there for the right ceremony.
        expect(await challenges.takeRegistration(userId, registration.challenge, T0)).toEqual(
          registration,
        );
        expect(await challenges.takeAuthentication(signIn.id, T0)).toEqual(signIn);
      });

      it('takes a registration challenge only for its own account, once', async () => {
        const userId = await aUserId();
        const other = await aUserId();
        const challenge = aChallenge({ purpose: 'registration', userId });
        await challenges.create(challenge);
        expect(await challenges.takeRegistration(other, challenge.challenge, T0)).toBeNull();
        expect(await challenges.takeRegistration(userId, challenge.challenge, T0)).toEqual(
          challenge,
        );
        expect(await challenges.takeRegistration(userId, challenge.challenge, T0)).toBeNull();
        const expired = aChallenge({ purpose: 'registration', userId, expiresAt: T0 });
        await challenges.create(expired);
        expect(await challenges.takeRegistration(userId, expired.challenge, T0)).toBeNull();
      });

      it('gives one challenge to exactly one of 10 concurrent takes', async () => {
        const challenge = aChallenge();
        await challenges.create(challenge);
        const taken = await Promise.all(
          Array.from({ length: 10 }, () => challenges.takeAuthentication(challenge.id, T0)),
        );
        expect(taken.filter((one) => one !== null)).toEqual([challenge]);
      });

      it('purges challenges that expired before the cutoff, and only those', async () => {
        const old = aChallenge({ expiresAt: at(-2000) });
        const live = aChallenge({ expiresAt: at(60_000) });
        await challenges.create(old);
        await challenges.create(live);
        expect(await challenges.purgeExpired(T0)).toBeGreaterThanOrEqual(1);
        expect(await challenges.takeAuthentication(old.id, at(-3000))).toBeNull();
        expect(await challenges.takeAuthentication(live.id, T0)).toEqual(live);
      });
    });
  },
);
