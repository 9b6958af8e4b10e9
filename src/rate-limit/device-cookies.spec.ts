import { describe, expect, it } from '@jest/globals';
import { AppConfig } from '../config/app-config.js';
import { FileServerSecretStore } from '../secrets/file.server-secret.store.js';
import { ServerSecrets } from '../secrets/server-secrets.js';
import { DEVICE_COOKIE_MAX_AGE_SECONDS, DeviceCookies } from './device-cookies.js';

const SECRETS = {
  REFRESH_TOKEN_SECRET: 'Vt3mQ9xL2bR7kW5pZ8nJ4cH6sF1gD0aY',
  DEVICE_COOKIE_SECRET: 'Kp7wN2xQ9mT4bZ6rL8vJ3cH5sF1gD0aE',
};

/** Both secrets come from the environment, so the store is never touched. */
async function deviceCookies(env: Record<string, string> = {}): Promise<DeviceCookies> {
  const config = AppConfig.fromEnv({ ...SECRETS, ...env });
  const secrets = await ServerSecrets.load(config, new FileServerSecretStore('/nonexistent'));
  return new DeviceCookies(secrets, config);
}

describe('DeviceCookies', () => {
  it('verifies a cookie it issued, for that account only', async () => {
    const cookies = await deviceCookies();
    const value = cookies.issue('alice', undefined);
    const deviceId = cookies.verify(value, 'alice');
    expect(deviceId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(cookies.verify(value, 'bob')).toBeUndefined();
    // The account is bound by the MAC, not written in the cookie.
    expect(value).not.toContain('alice');
  });

  it('keeps the device id when the browser already holds a valid cookie for the account', async () => {
    const cookies = await deviceCookies();
    const first = cookies.issue('alice', undefined);
    const again = cookies.issue('alice', first);
    expect(cookies.verify(again, 'alice')).toBe(cookies.verify(first, 'alice'));
    const forBob = cookies.issue('bob', first);
    expect(cookies.verify(forBob, 'bob')).not.toBe(cookies.verify(first, 'alice'));
  });

  it('refuses a tampered, expired, foreign or malformed cookie', async () => {
    const cookies = await deviceCookies();
    const now = Date.now();
    const value = cookies.issue('alice', undefined, now);
    const [id, expires, mac] = value.split('.') as [string, string, string];
    const flip = (text: string) => (text[0] === 'A' ? 'B' : 'A') + text.slice(1);
    for (const forged of [
      `${flip(id)}.${expires}.${mac}`,
      `${id}.${Number(expires) + 1}.${mac}`,
      `${id}.${expires}.${flip(mac)}`,
      '',
      'garbage',
      `${value}.extra`,
    ]) {
      expect(cookies.verify(forged, 'alice', now)).toBeUndefined();
    }
    const expiry = (Number(expires) + 1) * 1000;
    expect(cookies.verify(value, 'alice', expiry)).toBeUndefined();
    const other = await deviceCookies({ DEVICE_COOKIE_SECRET: 'Zq4wN2xQ9mT4bZ6rL8vJ3cH5sF1gD0aE' });
    expect(other.verify(value, 'alice', now)).toBeUndefined();
  });

  it('lasts a year, and is HttpOnly, SameSite=Strict and sent only to /login', async () => {
    const cookies = await deviceCookies();
    const now = Date.now();
    const [, expires] = cookies.issue('alice', undefined, now).split('.');
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
