import { randomBytes } from 'node:crypto';
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

  it('keeps an account without a password (made through a provider) until one is set', async () => {
    const created = await users.create({ ...newUser(), passwordHash: null });
    expect(created.passwordHash).toBeNull();
    expect((await users.findById(created.id))?.passwordHash).toBeNull();
    expect((await users.findByEmail(created.email))?.passwordHash).toBeNull();
    await users.updatePasswordHash(created.id, '$2b$12$first');
    expect((await users.findByUsername(created.username))?.passwordHash).toBe('$2b$12$first');
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

  it('gives every user the user role, and keeps the roles it was created with', async () => {
    const plain = await users.create(newUser());
    expect(plain).toMatchObject({
      roles: ['user'],
      disabledAt: null,
      disabledReason: null,
      lastLoginAt: null,
    });
    expect((await users.findById(plain.id))?.roles).toEqual(['user']);
    const admin = await users.create({ ...newUser(), roles: ['admin', 'editor', 'admin'] });
    expect(admin.roles).toEqual(['user', 'admin', 'editor']);
    expect((await users.findByUsername(admin.username))?.roles).toEqual([
      'user',
      'admin',
      'editor',
    ]);
    // Found by address too (password reset, a provider's address): the admin check reads these.
    expect((await users.findByEmail(admin.email))?.roles).toEqual(['user', 'admin', 'editor']);
  });

  it('replaces roles, and answers not_found for an unknown id', async () => {
    const created = await users.create({ ...newUser(), roles: ['editor'] });
    expect(await users.setRoles(created.id, ['admin'])).toBe('done');
    expect((await users.findById(created.id))?.roles).toEqual(['user', 'admin']);
    expect(await users.setRoles(created.id, ['user'])).toBe('done');
    expect((await users.findById(created.id))?.roles).toEqual(['user']);
    expect(await users.setRoles(UNKNOWN_ID, ['admin'])).toBe('not_found');
  });

  it('disables with a reason and enables again', async () => {
    const created = await users.create(newUser());
    const at = new Date(Date.now() - 5_000);
    expect(await users.disable(created.id, at, 'chargeback')).toBe('done');
    expect(await users.findById(created.id)).toMatchObject({
      disabledAt: at,
      disabledReason: 'chargeback',
    });
    expect(await users.enable(created.id)).toBe('done');
    expect(await users.findById(created.id)).toMatchObject({
      disabledAt: null,
      disabledReason: null,
    });
    expect(await users.disable(UNKNOWN_ID, at, null)).toBe('not_found');
    expect(await users.enable(UNKNOWN_ID)).toBe('not_found');
  });

  it('stamps a login and answers the account as it is now', async () => {
    const created = await users.create(newUser());
    await users.setRoles(created.id, ['admin']);
    const at = new Date();
    expect(await users.recordLogin(created.id, at)).toMatchObject({
      id: created.id,
      lastLoginAt: at,
      roles: ['user', 'admin'],
    });
    expect((await users.findById(created.id))?.lastLoginAt).toEqual(at);
    expect(await users.recordLogin(UNKNOWN_ID, at)).toBeUndefined();
  });

  describe('search', () => {
    /** Users of their own, under a prefix no other test uses. */
    const family = async (names: readonly string[]) => {
      const prefix = `s${randomBytes(3).toString('hex')}`;
      const created = [];
      for (const name of names) {
        created.push(
          await users.create({
            ...newUser(),
            username: `${prefix}${name}`,
            email: `${name}.${prefix}@example.com`,
          }),
        );
      }
      return { prefix, created };
    };

    it('finds by username or email prefix in any case, ordered by username', async () => {
      const { prefix, created } = await family(['-Carol', '-alice', '-Bob']);
      const found = await users.search({ prefix: prefix.toUpperCase() }, 10);
      expect(found.map((u) => u.username)).toEqual([
        `${prefix}-alice`,
        `${prefix}-Bob`,
        `${prefix}-Carol`,
      ]);
      expect(found[0]).toEqual(await users.findById(created[1]!.id));
      const byEmail = await users.search({ prefix: `-BOB.${prefix}` }, 10);
      expect(byEmail.map((u) => u.id)).toEqual([created[2]!.id]);
    });

    it('takes LIKE wildcards in the prefix literally', async () => {
      const { prefix } = await family(['_x', 'ax']);
      expect((await users.search({ prefix: `${prefix}_` }, 10)).map((u) => u.username)).toEqual([
        `${prefix}_x`,
      ]);
      expect(await users.search({ prefix: `${prefix}%` }, 10)).toEqual([]);
    });

    it('filters by role and by disabled, and pages after a username key', async () => {
      const { prefix, created } = await family(['a', 'b', 'c', 'd']);
      const [a, b, c, d] = created;
      await users.setRoles(b!.id, ['admin']);
      await users.setRoles(d!.id, ['admin']);
      await users.disable(d!.id, new Date(), null);

      const names = async (search: Parameters<UsersRepository['search']>[0], limit = 10) =>
        (await users.search({ prefix, ...search }, limit)).map((u) => u.id);
      expect(await names({ role: 'admin' })).toEqual([b!.id, d!.id]);
      expect(await names({ role: 'user' })).toEqual([a!.id, b!.id, c!.id, d!.id]);
      expect(await names({ role: 'admin', disabled: false })).toEqual([b!.id]);
      expect(await names({ disabled: true })).toEqual([d!.id]);
      expect(await names({}, 2)).toEqual([a!.id, b!.id]);
      expect(await names({ after: `${prefix}b` }, 2)).toEqual([c!.id, d!.id]);
    });
  });

  describe('deletion', () => {
    it('deletes the account and frees its username and email', async () => {
      const input = newUser();
      const created = await users.create({ ...input, roles: ['editor'] });
      const deletion = await users.delete(created.id, new Date(), new Date(Date.now() - 60_000));
      expect(deletion.outcome).toBe('done');
      expect(await users.findById(created.id)).toBeUndefined();
      expect(await users.findByUsername(input.username)).toBeUndefined();
      const again = await users.create(input);
      expect(again.roles).toEqual(['user']);
      expect((await users.delete(UNKNOWN_ID, new Date(), new Date())).outcome).toBe('not_found');
    });
  });

  describe('the last enabled admin', () => {
    // A store of its own: the rule counts every admin in the store.
    let own: StoreUnderTest;
    let alone: UsersRepository;
    beforeAll(async () => {
      own = await open();
      alone = own.db ? new SqlUsersRepository(own.db) : new InMemoryUsersRepository();
    });
    afterAll(() => own.close());

    it('cannot be demoted, disabled or deleted; another enabled admin makes it possible', async () => {
      const first = await alone.create({ ...newUser(), roles: ['admin'] });
      const later = new Date();
      expect(await alone.setRoles(first.id, ['editor'])).toBe('last_admin');
      expect(await alone.disable(first.id, later, null)).toBe('last_admin');
      expect((await alone.delete(first.id, later, later)).outcome).toBe('last_admin');
      expect(await alone.findById(first.id)).toMatchObject({ roles: ['user', 'admin'] });
      expect((await alone.findById(first.id))?.disabledAt).toBeNull();

      // A disabled admin does not count; an enabled one does.
      const second = await alone.create({ ...newUser(), roles: ['admin'] });
      expect(await alone.disable(second.id, later, null)).toBe('done');
      expect(await alone.setRoles(first.id, [])).toBe('last_admin');
      expect(await alone.enable(second.id)).toBe('done');
      expect(await alone.setRoles(first.id, [])).toBe('done');
      // Now `second` is the last one; ordinary users are never held back by the rule.
      expect(await alone.disable(second.id, later, null)).toBe('last_admin');
      expect(await alone.disable(first.id, later, null)).toBe('done');
      expect((await alone.delete(first.id, later, later)).outcome).toBe('done');
    });

    it('lets only one of two changes that would each remove an admin succeed at once', async () => {
      const a = await alone.create({ ...newUser(), roles: ['admin'] });
      const b = await alone.create({ ...newUser(), roles: ['admin'] });
      for (const admin of await alone.search({ role: 'admin' }, 100)) {
        if (admin.id !== a.id && admin.id !== b.id) await alone.setRoles(admin.id, []);
      }
      for (let round = 0; round < 5; round++) {
        const outcomes = await Promise.all([
          alone.setRoles(a.id, []),
          alone.disable(b.id, new Date(), null),
        ]);
        expect(outcomes.sort()).toEqual(['done', 'last_admin']);
        expect(await alone.search({ role: 'admin', disabled: false }, 100)).toHaveLength(1);
        await alone.enable(b.id);
        await alone.setRoles(a.id, ['admin']);
      }
    });
  });
});

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
