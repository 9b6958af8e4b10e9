import { Injectable } from '@nestjs/common';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { LimitReason } from '../audit/audit-event.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { AppConfig } from '../config/app-config.js';
import { DeviceCookies } from './device-cookies.js';
import { KnownAddressesRepository } from './known-addresses.repository.js';
import { RateLimiters } from './rate-limiters.js';

/** A client that logged in to the account from an address this long ago is still known there. */
export const KNOWN_ADDRESS_DAYS = 30;
const KNOWN_ADDRESS_MS = KNOWN_ADDRESS_DAYS * 86_400_000;
/** LOGIN_MAX_FAILURES_PER_ADDRESS counts over this window. */
const ADDRESS_WINDOW_SECONDS = 86_400;

/** Which failed-login counter refused a login (see LimitReason). */
export type LoginLimit = Exclude<LimitReason, 'address'>;

export interface LoginLimited {
  readonly limit: LoginLimit;
  readonly retryAfterSeconds: number;
}

/** How the account knows the client: by its device cookie, by its address, or not at all. */
type KnownAs =
  | { readonly by: 'device'; readonly deviceId: string }
  | { readonly by: 'address' }
  | { readonly by: 'nothing' };

interface Counter {
  readonly limiter: RateLimiterAbstract;
  readonly key: string;
  readonly limit: LoginLimit;
}

/**
 * Failed-login counters that slow a guesser without locking the owner out (OWASP Authentication
 * Cheat Sheet, "device cookies"; NIST SP 800-63B §5.2.2):
 *
 * - every client has LOGIN_MAX_FAILURES per LOGIN_FAILURE_WINDOW for each account: a client is an
 *   address, or a browser holding a device cookie for the account;
 * - clients the account does not know share LOGIN_MAX_FAILURES_ACCOUNT per window for it;
 * - an address has LOGIN_MAX_FAILURES_PER_ADDRESS per 24 h across accounts it is not known to.
 *
 * A known client (valid device cookie, or an address the account logged in from within 30 days)
 * draws on its own allowance only, so nobody else's failures can stop it. Every counter is keyed
 * by the normalised username whether or not the account exists, and the same lookups happen for
 * both, so the limits reveal no accounts.
 */
@Injectable()
export class LoginAttemptsService {
  private readonly perClient: RateLimiterAbstract;
  private readonly perAccount: RateLimiterAbstract;
  private readonly perAddress: RateLimiterAbstract | undefined;

  constructor(
    limiters: RateLimiters,
    config: AppConfig,
    private readonly deviceCookies: DeviceCookies,
    private readonly knownAddresses: KnownAddressesRepository,
  ) {
    const { loginMaxFailures, loginFailureWindowSeconds, loginMaxFailuresAccount } = config.abuse;
    this.perClient = limiters.create({
      name: 'login-client',
      points: loginMaxFailures,
      durationSeconds: loginFailureWindowSeconds,
    });
    this.perAccount = limiters.create({
      name: 'login-account',
      points: loginMaxFailuresAccount,
      durationSeconds: loginFailureWindowSeconds,
    });
    const perAddress = config.abuse.loginMaxFailuresPerAddress;
    this.perAddress =
      perAddress > 0
        ? limiters.create({
            name: 'login-address',
            points: perAddress,
            durationSeconds: ADDRESS_WINDOW_SECONDS,
          })
        : undefined;
  }

  /**
   * Takes one attempt from every allowance the client draws on, before the password is checked —
   * so concurrent guesses cannot overrun them — and answers the counter that refuses, if one does.
   * A refused attempt gives back what it took from the others: only password checks count.
   */
  async begin(
    account: string,
    userId: string | undefined,
    client: ClientInfo,
    now = new Date(),
  ): Promise<LoginLimited | undefined> {
    const known = await this.knownAs(account, userId, client, now);
    const counters = this.countersFor(account, client, known);
    const results = await Promise.allSettled(
      counters.map(({ limiter, key }) => limiter.consume(key)),
    );
    const refused: { counter: Counter; msBeforeNext: number }[] = [];
    for (const [i, result] of results.entries()) {
      if (result.status === 'fulfilled') continue;
      if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
      refused.push({ counter: counters[i]!, msBeforeNext: result.reason.msBeforeNext });
    }
    if (refused.length === 0) return undefined;
    await Promise.all(
      counters
        .filter((_, i) => results[i]?.status === 'fulfilled')
        .map(({ limiter, key }) => limiter.reward(key, 1)),
    );
    return {
      // The most specific counter names the reason (counters are listed most specific first);
      // the client may retry once every refusing counter has reset.
      limit: refused[0]!.counter.limit,
      retryAfterSeconds: Math.max(...refused.map((r) => r.msBeforeNext)) / 1000,
    };
  }

  /**
   * A sign-in that names no account until it is checked (a passkey: the browser picks the
   * credential): it takes one attempt from the address's allowance across accounts
   * (LOGIN_MAX_FAILURES_PER_ADDRESS) only, never from an account's counters, so a valid passkey
   * is never refused because someone is guessing the account's password. Answers the refusal, if
   * the address is out of attempts.
   */
  async beginForAddress(client: ClientInfo): Promise<LoginLimited | undefined> {
    if (!this.perAddress) return undefined;
    try {
      await this.perAddress.consume(addressOf(client));
      return undefined;
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      return { limit: 'address_failures', retryAfterSeconds: error.msBeforeNext / 1000 };
    }
  }

  /** That sign-in succeeded: its attempt goes back to the address's allowance. */
  async addressAttemptSucceeded(client: ClientInfo): Promise<void> {
    if (this.perAddress) await giveBack(this.perAddress, addressOf(client), 1);
  }

  /**
   * A login passed every factor (a session started): the client's own count starts again, the
   * attempts are given back to the shared allowances, and its address becomes known to the account.
   * `attempts` is how many this login took: two when a second step followed the password.
   */
  async succeeded(
    account: string,
    userId: string,
    client: ClientInfo,
    now = new Date(),
    attempts = 1,
  ): Promise<void> {
    const known = await this.knownAs(account, userId, client, now);
    await Promise.all([
      ...this.resets(account, client, known, attempts),
      this.knownAddresses.remember(
        { usernameKey: account, userId, ip: addressOf(client) },
        now,
        new Date(now.getTime() - KNOWN_ADDRESS_MS),
      ),
    ]);
  }

  /**
   * A signed-in user proved it again (current password, second factor): the counts start again as
   * after a login. No session starts, so the address does not become known by it.
   */
  async reauthenticated(
    account: string,
    userId: string,
    client: ClientInfo,
    now = new Date(),
  ): Promise<void> {
    const known = await this.knownAs(account, userId, client, now);
    await Promise.all(this.resets(account, client, known, 1));
  }

  /**
   * For a password reset: the account's shared count, and that of the client that proved it holds
   * the account, start again. Other clients' counts stay: the reset says nothing good about them.
   */
  async clearAccount(
    account: string,
    userId: string,
    client: ClientInfo,
    now = new Date(),
  ): Promise<void> {
    const known = await this.knownAs(account, userId, client, now);
    await Promise.all([
      this.perAccount.delete(account),
      this.perClient.delete(addressKey(addressOf(client), account)),
      known.by === 'device' ? this.perClient.delete(deviceKey(known.deviceId, account)) : undefined,
    ]);
  }

  private resets(
    account: string,
    client: ClientInfo,
    known: KnownAs,
    attempts: number,
  ): Promise<unknown>[] {
    const ip = addressOf(client);
    const resets: Promise<unknown>[] = [this.perClient.delete(addressKey(ip, account))];
    if (known.by === 'device')
      resets.push(this.perClient.delete(deviceKey(known.deviceId, account)));
    if (known.by === 'nothing') {
      resets.push(giveBack(this.perAccount, account, attempts));
      if (this.perAddress) resets.push(giveBack(this.perAddress, ip, attempts));
    }
    return resets;
  }

  /** `userId` undefined: no such account (no device cookie can count for it). */
  private async knownAs(
    account: string,
    userId: string | undefined,
    client: ClientInfo,
    now: Date,
  ): Promise<KnownAs> {
    const deviceId = await this.deviceCookies.verify(client.deviceCookie, userId, now.getTime());
    if (deviceId) return { by: 'device', deviceId };
    const since = new Date(now.getTime() - KNOWN_ADDRESS_MS);
    const known = await this.knownAddresses.isKnown(account, addressOf(client), since);
    return known ? { by: 'address' } : { by: 'nothing' };
  }

  /** The allowances an attempt draws on, most specific first. */
  private countersFor(account: string, client: ClientInfo, known: KnownAs): Counter[] {
    const ip = addressOf(client);
    if (known.by === 'device') {
      return [
        { limiter: this.perClient, key: deviceKey(known.deviceId, account), limit: 'device' },
      ];
    }
    const own: Counter = {
      limiter: this.perClient,
      key: addressKey(ip, account),
      limit: 'account_address',
    };
    if (known.by === 'address') return [own];
    const counters: Counter[] = [own, { limiter: this.perAccount, key: account, limit: 'account' }];
    if (this.perAddress) {
      counters.push({ limiter: this.perAddress, key: ip, limit: 'address_failures' });
    }
    return counters;
  }
}

/**
 * Returns up to `points` taken in this window; never more than was taken, so a window that ended
 * in between does not turn into credit for the next one.
 */
async function giveBack(limiter: RateLimiterAbstract, key: string, points: number): Promise<void> {
  const taken = await limiter.get(key);
  const back = Math.min(points, taken?.consumedPoints ?? 0);
  if (back > 0) await limiter.reward(key, back);
}

function addressOf(client: ClientInfo): string {
  return client.ip ?? 'unknown';
}

// Addresses and device ids never contain '|', so a username (which may) cannot forge another key.
const addressKey = (ip: string, account: string): string => `ip:${ip}|${account}`;
const deviceKey = (deviceId: string, account: string): string => `device:${deviceId}|${account}`;
