import { Injectable } from '@nestjs/common';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppConfig } from '../config/app-config.js';
import { RateLimiters } from './rate-limiters.js';
import { tooManyRequests } from './too-many-requests.js';

/**
 * Failed logins per account (OWASP ASVS V2.2.1, NIST SP 800-63B §5.2.2): LOGIN_MAX_FAILURES
 * attempts within LOGIN_FAILURE_WINDOW, from any address, then 429 until the window ends. Keyed by
 * the normalised username whether or not it exists, so the limit reveals no accounts.
 */
@Injectable()
export class LoginAttempts {
  private readonly failures: RateLimiterAbstract;

  constructor(
    limiters: RateLimiters,
    private readonly config: AppConfig,
  ) {
    this.failures = limiters.create({
      name: 'login-failures',
      points: config.abuse.loginMaxFailures,
      durationSeconds: config.abuse.loginFailureWindowSeconds,
    });
  }

  /**
   * Takes one attempt from the account's allowance before the password is checked — so concurrent
   * guesses cannot overrun it — and throws 429 when none is left.
   */
  async begin(accountKey: string): Promise<void> {
    try {
      await this.failures.consume(accountKey);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      throw tooManyRequests(
        rejection.msBeforeNext / 1000,
        `Too many failed logins for this account; try again in ${Math.ceil(rejection.msBeforeNext / 1000)} s.`,
      );
    }
  }

  /** Forgets the account's failures: a password reset proves the owner is back. */
  async clearAccount(usernameKey: string): Promise<void> {
    await this.failures.delete(usernameKey);
  }

  /** A successful login clears the account's failures. */
  async succeeded(accountKey: string): Promise<void> {
    await this.failures.delete(accountKey);
  }
}
