import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KnownAddressesRepository } from '../../src/rate-limit/known-addresses.repository.js';
import { InMemoryKnownAddressesRepository } from '../../src/rate-limit/repositories/in-memory.known-addresses.repository.js';
import { SqlKnownAddressesRepository } from '../../src/rate-limit/repositories/sql.known-addresses.repository.js';
import { InMemoryUsersRepository } from '../../src/users/repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from '../../src/users/repositories/sql.users.repository.js';
import { usernameKey } from '../../src/users/identity.normalization.js';
import type { UsersRepository } from '../../src/users/users.repository.js';
import { skipUnreachable, STORES, type StoreUnderTest } from '../support/stores.js';
import { aUser } from '../support/users.factory.js';

const DAY = 86_400_000;

describe.each(STORES)('KnownAddressesRepository contract: %s', (_name, open) => {
  if (!open) return skipUnreachable();
  let store: StoreUnderTest;
  let known: KnownAddressesRepository;
  let users: UsersRepository;

  beforeAll(async () => {
    store = await open();
    known = store.db
      ? new SqlKnownAddressesRepository(store.db)
      : new InMemoryKnownAddressesRepository();
    users = store.db ? new SqlUsersRepository(store.db) : new InMemoryUsersRepository();
  });
  afterAll(() => store.close());

  const anAccount = async () => {
    const { username, email } = aUser();
    const user = await users.create({ username, email, passwordHash: 'x' });
    return { usernameKey: usernameKey(username), userId: user.id };
  };

  it('knows an address from the last successful login there, for that account only', async () => {
    const account = await anAccount();
    const other = await anAccount();
    const now = new Date();
    const monthAgo = new Date(now.getTime() - 30 * DAY);
    expect(await known.isKnown(account.usernameKey, '203.0.113.1', monthAgo)).toBe(false);

    await known.remember({ ...account, ip: '203.0.113.1' }, now, monthAgo);
    expect(await known.isKnown(account.usernameKey, '203.0.113.1', monthAgo)).toBe(true);
    expect(await known.isKnown(account.usernameKey, '203.0.113.2', monthAgo)).toBe(false);
    expect(await known.isKnown(other.usernameKey, '203.0.113.1', monthAgo)).toBe(false);
    expect(await known.isKnown('never-signed-up', '203.0.113.1', monthAgo)).toBe(false);
    // Only logins at or after `since` count.
    expect(
      await known.isKnown(account.usernameKey, '203.0.113.1', new Date(now.getTime() + 1)),
    ).toBe(false);
  });

  it('moves the time forward on another login from the same address', async () => {
    const account = await anAccount();
    const now = Date.now();
    const old = new Date(now - 40 * DAY);
    await known.remember({ ...account, ip: '198.51.100.9' }, old, new Date(now - 400 * DAY));
    expect(await known.isKnown(account.usernameKey, '198.51.100.9', new Date(now - 30 * DAY))).toBe(
      false,
    );
    await known.remember(
      { ...account, ip: '198.51.100.9' },
      new Date(now),
      new Date(now - 30 * DAY),
    );
    expect(await known.isKnown(account.usernameKey, '198.51.100.9', new Date(now - 30 * DAY))).toBe(
      true,
    );
  });

  it('forgets the account’s addresses older than it is told, and no one else’s', async () => {
    const account = await anAccount();
    const other = await anAccount();
    const now = Date.now();
    const longAgo = new Date(now - 60 * DAY);
    const ever = new Date(0);
    await known.remember({ ...account, ip: '192.0.2.1' }, longAgo, ever);
    await known.remember({ ...other, ip: '192.0.2.1' }, longAgo, ever);
    await known.remember({ ...account, ip: '192.0.2.2' }, new Date(now), new Date(now - 30 * DAY));
    expect(await known.isKnown(account.usernameKey, '192.0.2.1', ever)).toBe(false);
    expect(await known.isKnown(other.usernameKey, '192.0.2.1', ever)).toBe(true);
    expect(await known.isKnown(account.usernameKey, '192.0.2.2', ever)).toBe(true);
  });
});
