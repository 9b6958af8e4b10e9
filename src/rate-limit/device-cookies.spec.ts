import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { FileServerSecretStore } from '../secrets/file.server-secret.store.js';
import { ServerSecrets } from '../secrets/server-secrets.js';
import {
  DEVICE_COOKIE_MAX_AGE_SECONDS,
  DEVICES_PER_ACCOUNT,
  DeviceCookies,
} from './device-cookies.js';
import { InMemoryAccountDevicesRepository } from './repositories/in-memory.account-devices.repository.js';

const SECRETS = {
  REFRESH_TOKEN_SECRET: 'Vt3mQ9xL2bR7kW5pZ8nJ4cH6sF1gD0aY',
  DEVICE_COOKIE_SECRET: 'Kp7wN2xQ9mT4bZ6rL8vJ3cH5sF1gD0aE',
};
const ALICE = '3b2f8c1e-0d4a-4e6b-9f7c-1a2b3c4d5e6f';
const BOB = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';

/** Both secrets come from the environment, so the store is never touched. */
async function deviceCookies(
  env: Record<string, string> = {},
  devices = new InMemoryAccountDevicesRepository(),
): Promise<DeviceCookies> {
  const config = AppConfig.fromEnv({ ...SECRETS, ...env });
  const secrets = await ServerSecrets.load(config, new FileServerSecretStore('/nonexistent'));
  return new DeviceCookies(secrets, devices, config);
}

describe('DeviceCookies', () => {
  it('verifies a cookie it issued, for that user only', async () => {
    const cookies = await deviceCookies();
    const value = await cookies.issue(ALICE, undefined);
    expect(await cookies.verify(value, ALICE)).toMatch(/^\d+$/);
    expect(await cookies.verify(value, BOB)).toBeUndefined();
    expect(await cookies.verify(value, undefined)).toBeUndefined();
    // The account is bound by the MAC, not written in the cookie.
    expect(value).not.toContain(ALICE);
  });

  it('keeps the device when the browser already holds a cookie that counts for the account', async () => {
    const cookies = await deviceCookies();
    const first = await cookies.issue(ALICE, undefined);
    const again = await cookies.issue(ALICE, first);
    expect(await cookies.verify(again, ALICE)).toBe(await cookies.verify(first, ALICE));
    const forBob = await cookies.issue(BOB, first);
    expect(await cookies.verify(forBob, BOB)).toBeDefined();
    expect(await cookies.verify(first, BOB)).toBeUndefined();
  });

  it('refuses a tampered, expired, foreign or malformed cookie', async () => {
    const cookies = await deviceCookies();
    const now = Date.now();
    const value = await cookies.issue(ALICE, undefined, now);
    const [device, generation, expires, mac] = value.split('.') as [string, string, string, string];
    const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    for (const forged of [
      `${Number(device) + 1}.${generation}.${expires}.${mac}`,
      `${device}.${Number(generation) + 1}.${expires}.${mac}`,
      `${device}.${generation}.${Number(expires) + 1}.${mac}`,
      `${device}.${generation}.${expires}.${flip(mac)}`,
      '',
      'garbage',
      `${value}.extra`,
    ]) {
      expect(await cookies.verify(forged, ALICE, now)).toBeUndefined();
    }
    const expiry = (Number(expires) + 1) * 1000;
    expect(await cookies.verify(value, ALICE, expiry)).toBeUndefined();
    const other = await deviceCookies({ DEVICE_COOKIE_SECRET: 'Zq4wN2xQ9mT4bZ6rL8vJ3cH5sF1gD0aE' });
    expect(await other.verify(value, ALICE, now)).toBeUndefined();
  });

  it('stops counting every cookie of the account once its sessions all end; new ones count', async () => {
    const cookies = await deviceCookies();
    const before = await cookies.issue(ALICE, undefined);
    const bobs = await cookies.issue(BOB, undefined);
    await cookies.endAllOf(ALICE);
    expect(await cookies.verify(before, ALICE)).toBeUndefined();
    expect(await cookies.verify(bobs, BOB)).toBeDefined();
    // Presenting it again mints a new device: the old one never comes back.
    const after = await cookies.issue(ALICE, before);
    expect(await cookies.verify(after, ALICE)).toBeDefined();
    expect(await cookies.verify(after, ALICE)).not.toBe(before.split('.')[0]);
  });

  it(`counts the last ${DEVICES_PER_ACCOUNT} devices minted for an account only`, async () => {
    const cookies = await deviceCookies();
    const minted: string[] = [];
    for (let i = 0; i <= DEVICES_PER_ACCOUNT; i++)
      minted.push(await cookies.issue(ALICE, undefined));
    expect(await cookies.verify(minted[0], ALICE)).toBeUndefined();
    for (const value of minted.slice(1)) expect(await cookies.verify(value, ALICE)).toBeDefined();
  });

  it('lasts a year, and is HttpOnly, SameSite=Strict and sent only to /login', async () => {
    const cookies = await deviceCookies();
    const now = Date.now();
    const [, , expires] = (await cookies.issue(ALICE, undefined, now)).split('.');
    expect(Number(expires)).toBe(Math.floor(now / 1000) + DEVICE_COOKIE_MAX_AGE_SECONDS);
    expect(cookies.attributes).toEqual({
      httpOnly: true,
      sameSite: 'strict',
      path: '/login',
      secure: false,
      maxAge: 365 * 86_400,
    });
  });

  it('is Secure when PUBLIC_URL is https, under its path prefix', async () => {
    const cookies = await deviceCookies({ PUBLIC_URL: 'https://auth.example.com/api/' });
    expect(cookies.attributes).toMatchObject({ secure: true, path: '/api/login' });
  });
});
