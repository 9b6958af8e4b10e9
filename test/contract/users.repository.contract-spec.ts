import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InMemoryUsersRepository } from '../../src/users/repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from '../../src/users/repositories/sql.users.repository.js';
import { UserConflictError } from '../../src/users/user-conflict.error.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';
import { aUser } from '../support/users.factory.js';

const newUser = (overrides: Partial<{ username: string; email: string }> = {}) => {
  const { username, email } = aUser(overrides);
  return {
    username,
    email,
    passwordHash: '$2b$04$abcdefghijklmnopqrstuu0123456789012345678901234567890',
  };
};

describe.each(STORES)('UsersRepository contract: %s', (_name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let users: UsersRepository;

  beforeAll(async () => {
    store = await open();
    users = store.db ? new SqlUsersRepository(store.db) : new InMemoryUsersRepository();
  });
  afterAll(() => store.close());

  it('creates a user with an id and a creation time, and finds it by id and by username', async () => {
    const input = newUser();
    const before = Date.now();
    const created = await users.create(input);
    expect(created).toMatchObject(input);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.createdAt.getTime()).toBeGreaterThanOrEqual(before - 1000);

    const byId = await users.findById(created.id);
    expect(byId).toEqual(created);
    expect(await users.findByUsername(input.username)).toEqual(created);
  });

  it('finds usernames case-insensitively and after NFKC, keeping the display form', async () => {
    const created = await users.create(newUser({ username: `Case_${Date.now().toString(36)}` }));
    const found = await users.findByUsername(created.username.toUpperCase());
    expect(found?.id).toBe(created.id);
    expect(found?.username).toBe(created.username);
  });

  it('answers undefined for an unknown id or username', async () => {
    expect(await users.findById('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    expect(await users.findByUsername('nobody_at_all')).toBeUndefined();
  });

  it('refuses a second user with the same username in any case', async () => {
    const first = await users.create(newUser());
    await expect(users.create(newUser({ username: first.username.toUpperCase() }))).rejects.toEqual(
      new UserConflictError('username'),
    );
  });

  it('refuses a second user with the same email in any case', async () => {
    const first = await users.create(newUser());
    const attempt = users.create(newUser({ email: first.email.toUpperCase() }));
    await expect(attempt).rejects.toBeInstanceOf(UserConflictError);
    await expect(attempt).rejects.toMatchObject({ field: 'email' });
  });

  it('lets exactly one of many concurrent creations of one username succeed', async () => {
    const { username } = newUser();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, () => users.create(newUser({ username }))),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect(outcome.reason).toMatchObject({ field: 'username' });
    }
  });

  it('updates the password hash', async () => {
    const created = await users.create(newUser());
    await users.updatePasswordHash(created.id, '$2b$12$newhash');
    expect((await users.findById(created.id))?.passwordHash).toBe('$2b$12$newhash');
  });

  it('finds a user by email, case-insensitively', async () => {
    const created = await users.create(newUser());
    expect(await users.findByEmail(created.email.toUpperCase())).toEqual(created);
    expect(await users.findByEmail(`nobody-${created.email}`)).toBeUndefined();
  });

  it('marks the address verified only while it is still the account’s address', async () => {
    const created = await users.create(newUser());
    expect(created.emailVerifiedAt).toBeNull();
    const at = new Date();
    expect(await users.markEmailVerified(created.id, `old-${created.email}`, at)).toBe(false);
    expect((await users.findById(created.id))?.emailVerifiedAt).toBeNull();
    expect(await users.markEmailVerified(created.id, created.email.toUpperCase(), at)).toBe(true);
    expect((await users.findById(created.id))?.emailVerifiedAt).toEqual(at);
  });

  it('changes the email (verified), frees the old one, and refuses an address taken', async () => {
    const a = await users.create(newUser());
    const b = await users.create(newUser());
    const at = new Date();
    const next = `next-${a.email}`;
    await users.changeEmail(a.id, next, at);
    expect(await users.findById(a.id)).toMatchObject({ email: next, emailVerifiedAt: at });
    expect((await users.findByEmail(next))?.id).toBe(a.id);
    expect(await users.findByEmail(a.email)).toBeUndefined();
    await expect(users.changeEmail(b.id, next.toUpperCase(), at)).rejects.toBeInstanceOf(
      UserConflictError,
    );
    // The old address is free again.
    await users.changeEmail(b.id, a.email, at);
    expect((await users.findByEmail(a.email))?.id).toBe(b.id);
  });
});
