import { describe, expect, it } from '@jest/globals';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { FileServerSecretStore } from '../secrets/file.server-secret.store.js';
import { ServerSecrets } from '../secrets/server-secrets.js';
import { DeviceCookies } from './device-cookies.js';
import { LoginAttemptsService } from './login-attempts.service.js';
import { RateLimiters } from './rate-limiters.js';
import { InMemoryAccountDevicesRepository } from './repositories/in-memory.account-devices.repository.js';
import { InMemoryKnownAddressesRepository } from './repositories/in-memory.known-addresses.repository.js';

const LIMITS = {
  LOGIN_MAX_FAILURES: '3',
  LOGIN_MAX_FAILURES_ACCOUNT: '5',
  LOGIN_MAX_FAILURES_PER_ADDRESS: '8',
  LOGIN_FAILURE_WINDOW: '15m',
  REFRESH_TOKEN_SECRET: 'Vt3mQ9xL2bR7kW5pZ8nJ4cH6sF1gD0aY',
  DEVICE_COOKIE_SECRET: 'Kp7wN2xQ9mT4bZ6rL8vJ3cH5sF1gD0aE',
};

async function setUp(env: Record<string, string> = {}) {
  const config = AppConfig.fromEnv({ ...LIMITS, ...env });
  const secrets = await ServerSecrets.load(config, new FileServerSecretStore('/nonexistent'));
  const cookies = new DeviceCookies(secrets, new InMemoryAccountDevicesRepository(), config);
  const attempts = new LoginAttemptsService(
    new RateLimiters(),
    config,
    cookies,
    new InMemoryKnownAddressesRepository(),
  );
  /** n attempts in a row; answers each one's limit, or `ok`. */
  const attempt = async (account: string, client: ClientInfo, n = 1) => {
    const outcomes: string[] = [];
    for (let i = 0; i < n; i++)
      outcomes.push((await attempts.begin(account, userIdOf(account), client))?.limit ?? 'ok');
    return outcomes;
  };
  return { attempts, cookies, attempt };
}

/** The accounts that exist, by username; any other name is unknown. */
const userIdOf = (account: string): string | undefined =>
  ({ alice: 'alice-id', bob: 'bob-id', mine: 'mine-id' })[account];

const from = (ip: string, deviceCookie?: string): ClientInfo => ({
  ip,
  userAgent: null,
  requestId: null,
  deviceCookie,
});
const ok = (n: number) => Array<string>(n).fill('ok');

describe('LoginAttemptsService', () => {
  it('gives each address LOGIN_MAX_FAILURES for an account, and no more', async () => {
    const { attempt } = await setUp();
    expect(await attempt('alice', from('203.0.113.1'), 4)).toEqual([...ok(3), 'account_address']);
    expect(await attempt('alice', from('203.0.113.2'))).toEqual(['ok']);
    expect(await attempt('bob', from('203.0.113.1'))).toEqual(['ok']);
  });

  it('says when to try again: at the end of the window', async () => {
    const { attempts, attempt } = await setUp();
    await attempt('alice', from('203.0.113.1'), 3);
    const limited = await attempts.begin('alice', 'alice-id', from('203.0.113.1'));
    expect(limited?.retryAfterSeconds).toBeGreaterThan(890);
    expect(limited?.retryAfterSeconds).toBeLessThanOrEqual(900);
  });

  it('caps failures from unknown clients per account, but never stops a known address or device', async () => {
    const { attempts, cookies, attempt } = await setUp();
    await attempts.succeeded('alice', 'alice-id', from('192.0.2.10'));
    const device = await cookies.issue('alice-id', undefined);
    for (let i = 1; i <= 5; i++)
      expect(await attempt('alice', from(`203.0.113.${i}`))).toEqual(['ok']);
    expect(await attempt('alice', from('203.0.113.99'))).toEqual(['account']);
    // The owner's address and the owner's browser, from anywhere, each with its own allowance.
    expect(await attempt('alice', from('192.0.2.10'), 4)).toEqual([...ok(3), 'account_address']);
    expect(await attempt('alice', from('198.51.100.7', device), 4)).toEqual([...ok(3), 'device']);
    // A device cookie of another account, or a forged one, makes a client nothing but unknown.
    const bobs = await cookies.issue('bob-id', undefined);
    expect(await attempt('alice', from('198.51.100.8', bobs))).toEqual(['account']);
    expect(await attempt('alice', from('198.51.100.9', `${device.slice(0, -1)}x`))).toEqual([
      'account',
    ]);
  });

  it('counts only password checks: a refused attempt takes nothing from the other allowances', async () => {
    const { attempt } = await setUp();
    // One address fails its 3, then keeps hammering: refused, and not counted for the account.
    expect(await attempt('alice', from('203.0.113.1'), 20)).toEqual([
      ...ok(3),
      ...Array<string>(17).fill('account_address'),
    ]);
    // So the account's cap of 5 has 2 left for other unknown clients.
    expect(await attempt('alice', from('203.0.113.2'))).toEqual(['ok']);
    expect(await attempt('alice', from('203.0.113.3'))).toEqual(['ok']);
    expect(await attempt('alice', from('203.0.113.4'))).toEqual(['account']);
  });

  it('limits an address across accounts, except for accounts it is known to', async () => {
    const { attempts, attempt } = await setUp();
    await attempts.succeeded('mine', 'mine-id', from('198.51.100.1'));
    for (let i = 0; i < 8; i++)
      expect(await attempt(`victim${i}`, from('198.51.100.1'))).toEqual(['ok']);
    expect(await attempt('victim8', from('198.51.100.1'))).toEqual(['address_failures']);
    expect(await attempt('mine', from('198.51.100.1'))).toEqual(['ok']);
    expect(await attempt('victim8', from('198.51.100.2'))).toEqual(['ok']);
  });

  it('has no per-address limit with LOGIN_MAX_FAILURES_PER_ADDRESS=0', async () => {
    const { attempt } = await setUp({ LOGIN_MAX_FAILURES_PER_ADDRESS: '0' });
    for (let i = 0; i < 20; i++)
      expect(await attempt(`victim${i}`, from('198.51.100.1'))).toEqual(['ok']);
  });

  it('on success: the client starts again, the shared allowances get the attempt back, the address becomes known', async () => {
    const { attempts, attempt } = await setUp();
    const owner = from('203.0.113.50');
    await attempt('alice', owner, 2);
    await attempt('alice', from('203.0.113.51'), 2);
    await attempt('alice', owner); // the right password: 5 of the account's 5 taken
    await attempts.succeeded('alice', 'alice-id', owner);
    // The successful attempt was given back: one more unknown client may try...
    expect(await attempt('alice', from('203.0.113.52'))).toEqual(['ok']);
    expect(await attempt('alice', from('203.0.113.53'))).toEqual(['account']);
    // ...and the owner's address, now known, has its full allowance, cap or not.
    expect(await attempt('alice', owner, 4)).toEqual([...ok(3), 'account_address']);
  });

  it('gives back both attempts of a login with a second step', async () => {
    const { attempts, attempt } = await setUp();
    const owner = from('203.0.113.60');
    await attempt('alice', from('203.0.113.61'), 3);
    await attempt('alice', owner, 2); // the password, then the code: 5 of the account's 5 taken
    await attempts.succeeded('alice', 'alice-id', owner, new Date(), 2);
    expect(await attempt('alice', from('203.0.113.62'), 3)).toEqual([...ok(2), 'account']);
  });

  it('on re-authentication: the counts start again, but the address does not become known', async () => {
    const { attempts, attempt } = await setUp();
    const client = from('203.0.113.70');
    await attempt('alice', client, 3);
    await attempts.reauthenticated('alice', 'alice-id', client);
    expect(await attempt('alice', client, 2)).toEqual(ok(2));
    // Still unknown: it draws on the account's cap (5, of which 5 are now taken by it and others).
    await attempt('alice', from('203.0.113.71'), 2);
    expect(await attempt('alice', client)).toEqual(['account']);
  });

  it('holds under concurrent attempts: no more than the allowance gets through', async () => {
    const { attempts } = await setUp();
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, () => attempts.begin('alice', 'alice-id', from('203.0.113.1'))),
    );
    expect(outcomes.filter((o) => o === undefined)).toHaveLength(3);
  });

  it('on a password reset, clears the account’s cap and the resetting client’s count', async () => {
    const { attempts, attempt } = await setUp();
    for (let i = 1; i <= 5; i++) await attempt('alice', from(`203.0.113.${i}`));
    await attempt('alice', from('203.0.113.1'), 2);
    await attempts.clearAccount('alice', 'alice-id', from('203.0.113.1'));
    expect(await attempt('alice', from('203.0.113.1'), 4)).toEqual([...ok(3), 'account_address']);
    expect(await attempt('alice', from('203.0.113.2'), 3)).toEqual([...ok(2), 'account_address']);
  });

  it('counts an unknown username exactly like a known one', async () => {
    const { attempts, attempt } = await setUp();
    await attempts.succeeded('someone-else', 'id', from('203.0.113.1'));
    const sequence = async (account: string) => [
      ...(await attempt(account, from('203.0.113.1'), 4)),
      ...(await attempt(account, from('203.0.113.2'), 2)),
      ...(await attempt(account, from('203.0.113.3'), 1)),
    ];
    expect(await sequence('ghost')).toEqual(await sequence('alice'));
  });

  describe('a sign-in that names no account (a passkey)', () => {
    it('draws on the address’s allowance across accounts only, and gives it back on success', async () => {
      const { attempts, attempt } = await setUp();
      const client = from('203.0.113.7');
      // Any number of successes leave the allowance whole.
      for (let i = 0; i < 10; i++) {
        expect(await attempts.beginForAddress(client)).toBeUndefined();
        await attempts.addressAttemptSucceeded(client);
      }
      for (let i = 0; i < 8; i++) expect(await attempts.beginForAddress(client)).toBeUndefined();
      expect(await attempts.beginForAddress(client)).toMatchObject({ limit: 'address_failures' });
      // The address's allowance is the one password logins from unknown clients share there too…
      expect(await attempt('alice', client)).toEqual(['address_failures']);
      // …but no account's counter moved: from elsewhere alice has her whole allowance.
      expect(await attempt('alice', from('203.0.113.8'), 3)).toEqual(ok(3));
    });

    it('counts nothing when LOGIN_MAX_FAILURES_PER_ADDRESS is 0', async () => {
      const { attempts } = await setUp({ LOGIN_MAX_FAILURES_PER_ADDRESS: '0' });
      for (let i = 0; i < 20; i++) {
        expect(await attempts.beginForAddress(from('203.0.113.9'))).toBeUndefined();
      }
    });
  });
});
