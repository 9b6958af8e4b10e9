import type { EnvReader } from './env-reader.js';

export interface AbuseConfig {
  /**
   * Failed logins per account and client (an address, or a device cookie) within the window before
   * that client answers 429 for that account.
   */
  readonly loginMaxFailures: number;
  readonly loginFailureWindowSeconds: number;
  /** Failed logins per account within the window, from clients it does not know, before 429. */
  readonly loginMaxFailuresAccount: number;
  /** Failed logins per address, across accounts, per 24 h; 0 turns it off. */
  readonly loginMaxFailuresPerAddress: number;
  /** Requests per minute per client IP on /login, /signup and /refresh each; 0 turns it off. */
  readonly rateLimitPerIp: number;
  /** Refuse the commonest passwords (PASSWORD_DENYLIST=off turns it off). */
  readonly passwordDenylist: boolean;
}

/** The abuse section: failed-login limits, the per-address rate limit, the password denylist. */
export function parseAbuseConfig(read: EnvReader): AbuseConfig {
  return {
    loginMaxFailures: read.integer('LOGIN_MAX_FAILURES', 10, 1, 10_000),
    loginFailureWindowSeconds: read.duration('LOGIN_FAILURE_WINDOW', '15m', 1),
    // NIST SP 800-63B §5.2.2: at most 100 consecutive failed attempts on one account.
    loginMaxFailuresAccount: read.integer('LOGIN_MAX_FAILURES_ACCOUNT', 100, 1, 1_000_000),
    loginMaxFailuresPerAddress: read.integer('LOGIN_MAX_FAILURES_PER_ADDRESS', 100, 0, 1_000_000),
    rateLimitPerIp: read.integer('RATE_LIMIT_PER_IP', 30, 0, 1_000_000),
    passwordDenylist: read.oneOf('PASSWORD_DENYLIST', ['on', 'off'], 'on') === 'on',
  };
}
