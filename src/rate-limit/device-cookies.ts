import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { AppConfig } from '../config/app-config.js';
import { ServerSecrets } from '../secrets/server-secrets.js';

/** How long a device cookie marks its browser as known to the account (OWASP: "device cookies"). */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 86_400;

const DEVICE_ID_BYTES = 16;
const COOKIE_VALUE = /^([A-Za-z0-9_-]{22})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * Device cookies: set on every successful login, they let that browser keep logging in to that
 * account while others' failures lock out unknown clients. The value is `<device id>.<expiry>.<mac>`,
 * the MAC an HMAC-SHA256 under DEVICE_COOKIE_SECRET over the normalised username, the device id
 * and the expiry: bound to the account without naming it, and useless for any other account.
 */
@Injectable()
export class DeviceCookies {
  /** HttpOnly, SameSite=Strict, only sent to /login (under PUBLIC_URL's path), Secure on https. */
  readonly attributes: CookieSerializeOptions;

  constructor(
    private readonly secrets: ServerSecrets,
    config: AppConfig,
  ) {
    const publicUrl = new URL(config.publicUrl);
    this.attributes = {
      httpOnly: true,
      sameSite: 'strict',
      path: `${publicUrl.pathname.replace(/\/$/, '')}/login`,
      secure: publicUrl.protocol === 'https:',
      maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
    };
  }

  /** The device id of a cookie we signed for this account and that has not expired, if it is one. */
  verify(value: string | null | undefined, account: string, now = Date.now()): string | undefined {
    const match = value ? COOKIE_VALUE.exec(value) : null;
    if (!match) return undefined;
    const [, deviceId = '', expires = '', mac = ''] = match;
    if (Number(expires) * 1000 <= now) return undefined;
    const expected = this.mac(account, deviceId, expires);
    return timingSafeEqual(Buffer.from(mac), Buffer.from(expected)) ? deviceId : undefined;
  }

  /**
   * The cookie value to set after a successful login: the same device id when the browser already
   * holds a valid cookie for this account (its failure budget stays its own), else a new one.
   */
  issue(account: string, presented: string | null | undefined, now = Date.now()): string {
    const deviceId =
      this.verify(presented, account, now) ?? randomBytes(DEVICE_ID_BYTES).toString('base64url');
    const expires = String(Math.floor(now / 1000) + DEVICE_COOKIE_MAX_AGE_SECONDS);
    return `${deviceId}.${expires}.${this.mac(account, deviceId, expires)}`;
  }

  private mac(account: string, deviceId: string, expires: string): string {
    return createHmac('sha256', this.secrets.deviceCookie)
      .update(`device-cookie\n${account}\n${deviceId}\n${expires}`)
      .digest('base64url');
  }
}
