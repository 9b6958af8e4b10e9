import { createHmac, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CookieSerializeOptions } from '@fastify/cookie';
import { AppConfig } from '../config/app-config.js';
import { ServerSecrets } from '../secrets/server-secrets.js';
import { AccountDevicesRepository, type AccountDevices } from './account-devices.repository.js';

/** How long a device cookie marks its browser as known to the account (OWASP: "device cookies"). */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 86_400;

/**
 * Live device cookies per account: minting one more drops the oldest minted. Each has its own
 * failed-login allowance, so without a cap someone who once held the password could mint as many
 * allowances as they liked; 20 is more browsers than an owner uses.
 */
export const DEVICES_PER_ACCOUNT = 20;

const COOKIE_VALUE = /^(\d{1,12})\.(\d{1,12})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

/**
 * Device cookies: set on every successful login, they let that browser keep logging in to that
 * account while others' failures lock out unknown clients. The value is
 * `<device number>.<generation>.<expiry>.<mac>`, the MAC an HMAC-SHA256 under DEVICE_COOKIE_SECRET
 * over the user id and the rest: bound to the account without naming it. A cookie counts while its
 * generation is the account's (ending every session of the account advances it: a password reset
 * or change, log-out-everywhere, a disable) and its number is among the last DEVICES_PER_ACCOUNT
 * minted for the account.
 */
@Injectable()
export class DeviceCookies {
  /** HttpOnly, SameSite=Strict, only sent to /login (under PUBLIC_URL's path), Secure on https. */
  readonly attributes: CookieSerializeOptions;

  constructor(
    private readonly secrets: ServerSecrets,
    private readonly devices: AccountDevicesRepository,
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

  /**
   * The device (its number) of a cookie we signed for this user, not expired, of the account's
   * current generation and among its last DEVICES_PER_ACCOUNT; undefined otherwise.
   */
  async verify(
    value: string | null | undefined,
    userId: string | undefined,
    now = Date.now(),
  ): Promise<string | undefined> {
    const signed = userId === undefined ? undefined : this.signedDevice(value, userId, now);
    if (!signed || userId === undefined) return undefined;
    return counts(signed, await this.devices.find(userId)) ? String(signed.device) : undefined;
  }

  /**
   * The cookie value to set after a successful login: the same device when the browser already
   * holds a cookie that counts for this account (its failure budget stays its own), else a new one.
   */
  async issue(
    userId: string,
    presented: string | null | undefined,
    now = Date.now(),
  ): Promise<string> {
    const signed = this.signedDevice(presented, userId, now);
    let device: { device: number; generation: number };
    if (signed && counts(signed, await this.devices.find(userId))) {
      device = signed;
    } else {
      const minted = await this.devices.mint(userId);
      device = { device: minted.minted, generation: minted.generation };
    }
    const expires = String(Math.floor(now / 1000) + DEVICE_COOKIE_MAX_AGE_SECONDS);
    const body = `${device.device}.${device.generation}.${expires}`;
    return `${body}.${this.mac(userId, body)}`;
  }

  /** Every device cookie of the account minted so far stops counting. */
  endAllOf(userId: string): Promise<void> {
    return this.devices.advance(userId);
  }

  private signedDevice(
    value: string | null | undefined,
    userId: string,
    now: number,
  ): { device: number; generation: number } | undefined {
    const match = value ? COOKIE_VALUE.exec(value) : null;
    if (!match) return undefined;
    const [, device = '', generation = '', expires = '', mac = ''] = match;
    if (Number(expires) * 1000 <= now) return undefined;
    const expected = this.mac(userId, `${device}.${generation}.${expires}`);
    if (!timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) return undefined;
    return { device: Number(device), generation: Number(generation) };
  }

  private mac(userId: string, body: string): string {
    return createHmac('sha256', this.secrets.deviceCookie)
      .update(`device-cookie\n${userId}\n${body}`)
      .digest('base64url');
  }
}

function counts(signed: { device: number; generation: number }, account: AccountDevices): boolean {
  return (
    signed.generation === account.generation &&
    signed.device <= account.minted &&
    signed.device > account.minted - DEVICES_PER_ACCOUNT
  );
}
