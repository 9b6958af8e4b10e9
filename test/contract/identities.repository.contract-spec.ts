import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IdentitiesRepository } from '../../src/identities/identities.repository.js';
import { IdentityConflictError, type NewIdentity } from '../../src/identities/identity.js';
import { InMemoryIdentitiesRepository } from '../../src/identities/repositories/in-memory.identities.repository.js';
import { SqlIdentitiesRepository } from '../../src/identities/repositories/sql.identities.repository.js';
import { InMemoryUsersRepository } from '../../src/users/repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from '../../src/users/repositories/sql.users.repository.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';
import { aUser } from '../support/users.factory.js';

const T0 = new Date(Date.UTC(2026, 10, 30, 12, 0, 0));
const at = (ms: number) => new Date(T0.getTime() + ms);
const ISSUER = 'https://id.acme.example';

describe.each(STORES)('IdentitiesRepository contract: %s', (_name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let identities: IdentitiesRepository;
  let users: UsersRepository;

  beforeAll(async () => {
    store = await open();
    identities = store.db
      ? new SqlIdentitiesRepository(store.db)
      : new InMemoryIdentitiesRepository();
    users = store.db ? new SqlUsersRepository(store.db) : new InMemoryUsersRepository();
  });
  afterAll(() => store.close());

  const aUserId = async () => {
    const { username, email } = aUser();
    return (await users.create({ username, email, passwordHash: null })).id;
  };
  /** A new identity of `userId` at a provider, with a subject of its own. */
  const anIdentity = (userId: string, overrides: Partial<NewIdentity> = {}): NewIdentity => ({
    userId,
    provider: 'acme',
    issuer: ISSUER,
    subject: randomBytes(8).toString('hex'),
    email: `${randomBytes(4).toString('hex')}@acme.example`,
    createdAt: T0,
    ...overrides,
  });

  it('links an identity and finds it by (issuer, subject), never used yet', async () => {
    const userId = await aUserId();
    const input = anIdentity(userId);
    const linked = await identities.link(input);
    expect(linked).toEqual({
      ...input,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      lastUsedAt: null,
    });
    expect(await identities.findByIssuerSubject(ISSUER, input.subject)).toEqual(linked);
  });

  it('finds nothing for an unknown subject, or a known subject at another issuer', async () => {
    const { subject } = await identities.link(anIdentity(await aUserId()));
    expect(await identities.findByIssuerSubject(ISSUER, `${subject}-other`)).toBeUndefined();
    expect(await identities.findByIssuerSubject(`${ISSUER}/other`, subject)).toBeUndefined();
    // Exact strings: a subject is case-sensitive, an issuer is compared as written.
    expect(await identities.findByIssuerSubject(ISSUER, subject.toUpperCase())).toBeUndefined();
    expect(await identities.findByIssuerSubject(`${ISSUER}/`, subject)).toBeUndefined();
  });

  it('lists an account’s identities oldest first, and only its own', async () => {
    const userId = await aUserId();
    const later = await identities.link(anIdentity(userId, { provider: 'b', createdAt: at(2000) }));
    const first = await identities.link(anIdentity(userId, { provider: 'a', createdAt: at(1000) }));
    await identities.link(anIdentity(await aUserId()));
    expect(await identities.listForUser(userId)).toEqual([first, later]);
    expect(await identities.listForUser(await aUserId())).toEqual([]);
  });

  it('refuses a second link of one (issuer, subject), to any account and under any provider id', async () => {
    const first = await identities.link(anIdentity(await aUserId()));
    for (const attempt of [
      anIdentity(first.userId, { subject: first.subject }),
      anIdentity(await aUserId(), { subject: first.subject, provider: 'renamed' }),
    ]) {
      await expect(identities.link(attempt)).rejects.toBeInstanceOf(IdentityConflictError);
    }
    expect(await identities.findByIssuerSubject(ISSUER, first.subject)).toEqual(first);
    // The same subject at another issuer is someone else.
    const elsewhere = await identities.link(
      anIdentity(await aUserId(), { subject: first.subject, issuer: 'https://other.example' }),
    );
    expect(elsewhere.id).not.toBe(first.id);
  });

  it('lets exactly one of 10 concurrent links of one (issuer, subject) win', async () => {
    const subject = randomBytes(8).toString('hex');
    const userIds = await Promise.all(Array.from({ length: 10 }, () => aUserId()));
    const outcomes = await Promise.allSettled(
      userIds.map((userId) => identities.link(anIdentity(userId, { subject }))),
    );
    const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect(outcome.reason).toBeInstanceOf(IdentityConflictError);
    }
    const owner = (await identities.findByIssuerSubject(ISSUER, subject))?.userId;
    expect(userIds).toContain(owner);
  });

  it('unlinks one identity of its own account once; not another account’s', async () => {
    const userId = await aUserId();
    const kept = await identities.link(anIdentity(userId));
    const gone = await identities.link(anIdentity(userId));
    const other = await aUserId();
    expect(await identities.unlink(other, gone.id)).toBe(false);
    expect(await identities.unlink(userId, gone.id)).toBe(true);
    expect(await identities.unlink(userId, gone.id)).toBe(false);
    expect(await identities.unlink(userId, '00000000-0000-4000-8000-000000000000')).toBe(false);
    expect(await identities.listForUser(userId)).toEqual([kept]);
    expect(await identities.findByIssuerSubject(ISSUER, gone.subject)).toBeUndefined();
    // Its (issuer, subject) is free again.
    await identities.link(anIdentity(other, { subject: gone.subject }));
  });

  it('unlinks every identity of an account, answering them oldest first, and no one else’s', async () => {
    const userId = await aUserId();
    const second = await identities.link(anIdentity(userId, { createdAt: at(2000) }));
    const first = await identities.link(anIdentity(userId, { createdAt: at(1000) }));
    const someoneElse = await identities.link(anIdentity(await aUserId()));
    expect(await identities.unlinkAllForUser(userId)).toEqual([first, second]);
    expect(await identities.listForUser(userId)).toEqual([]);
    expect(await identities.unlinkAllForUser(userId)).toEqual([]);
    expect(await identities.listForUser(someoneElse.userId)).toEqual([someoneElse]);
  });

  it('records the last sign-in through an identity', async () => {
    const linked = await identities.link(anIdentity(await aUserId()));
    await identities.touchLastUsed(linked.id, at(60_000));
    await identities.touchLastUsed(linked.id, at(120_000));
    expect(await identities.findByIssuerSubject(ISSUER, linked.subject)).toEqual({
      ...linked,
      lastUsedAt: at(120_000),
    });
    await identities.touchLastUsed('00000000-0000-4000-8000-000000000000', at(0));
  });

  it('(SQL) goes with its account, and unlinks inside a transaction that can roll back', async () => {
    const db = store.db;
    if (!db) return; // the memory store has no foreign keys; account deletion will unlink there
    const userId = await aUserId();
    const linked = await identities.link(anIdentity(userId));
    await db
      .transaction()
      .execute(async (trx) => {
        expect(await new SqlIdentitiesRepository(trx).unlink(userId, linked.id)).toBe(true);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await identities.listForUser(userId)).toEqual([linked]);

    expect((await users.delete(userId, T0, T0)).outcome).toBe('done');
    expect(await identities.findByIssuerSubject(ISSUER, linked.subject)).toBeUndefined();
  });
});
