import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { MfaService, mfaNotEnabled, wrongMfaCode, type SecondFactor } from '../mfa/mfa.service.js';
import { InFlightLimit } from '../rate-limit/in-flight-limit.js';
import { LoginAttemptsService } from '../rate-limit/login-attempts.service.js';
import { tooManyRequests } from '../rate-limit/too-many-requests.js';
import { usernameKey } from '../users/identity.normalization.js';
import { hasPassword, type User } from '../users/user.js';
import { PasswordHasher } from '../passwords/password-hasher.js';

/**
 * Checks of one account that may run at once on an instance: more in parallel would let a single
 * stolen token fill the password-hashing queue that every login shares.
 */
export const CHECKS_IN_FLIGHT_PER_ACCOUNT = 2;

/** What a prove-it-is-you route was sent: the current password, and maybe a second factor. */
export interface Reauthentication {
  readonly password: string;
  readonly secondFactor?: SecondFactor;
}

/**
 * Whether the route asks for the second factor: never, when the account has one (changing the
 * address), or always (managing the second factor itself: 409 when it is off).
 */
export type SecondFactorRule = 'none' | 'when-enabled' | 'required';

/**
 * The one re-authentication check every prove-it-is-you route uses (`/me/password`, `/me/email`,
 * `DELETE /me`, `/me/mfa/*`). Each check is a login attempt: it draws on `/login`'s failed-login
 * counters before anything is checked, so a stolen access token is no unlimited password (or code)
 * oracle, and a right answer resets them as a login does.
 */
@Injectable()
export class ReauthenticationService {
  private readonly inFlight = new InFlightLimit(CHECKS_IN_FLIGHT_PER_ACCOUNT);

  constructor(
    private readonly hasher: PasswordHasher,
    private readonly mfa: MfaService,
    private readonly loginAttempts: LoginAttemptsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * The current password, then the second factor when `rule` asks for it. Wrong: 403
   * wrong-password or wrong-mfa-code; out of attempts: 429 with Retry-After, even when right.
   */
  async confirm(
    user: User,
    proof: Reauthentication,
    rule: SecondFactorRule,
    client: ClientInfo,
    sessionId?: string,
  ): Promise<void> {
    // Decided before the attempt is taken: a request missing what it needs checks nothing.
    const secondFactor = await this.secondFactorToCheck(user, proof, rule);
    await this.underLimits(user, client, async () => {
      // No password (an account made through a provider): the same cost and the same 403.
      if (!(await this.hasher.verify(proof.password, user.passwordHash))) throw wrongPassword();
      if (
        secondFactor &&
        !(await this.mfa.checkSecondFactor(user.id, secondFactor, client, sessionId))
      ) {
        throw wrongMfaCode();
      }
    });
  }

  /**
   * Whether `confirm` can ever succeed for this account: false for one made through a provider
   * that has no password yet. Routes that ask for the current password branch here to accept a
   * recent interactive sign-in instead (REAUTH_MAX_AGE).
   */
  hasPassword(user: User): boolean {
    return hasPassword(user);
  }

  /**
   * Runs `check` — another answer only the owner has, such as the first code of an enrolment — as
   * one attempt under the same limits. `check` throws its 4xx when the answer is wrong: the
   * attempt then stays counted; when it returns, the counts start again.
   */
  async underLimits<T>(user: User, client: ClientInfo, check: () => Promise<T>): Promise<T> {
    const release = this.inFlight.tryAcquire(user.id);
    // Refused before any counter is touched: it checked nothing, so it counts nothing.
    if (!release) {
      throw tooManyRequests(
        1,
        'Another check of this account’s password or code is under way; try again in a second.',
      );
    }
    try {
      const account = usernameKey(user.username);
      const limited = await this.loginAttempts.begin(account, user.id, client);
      if (limited) {
        this.metrics.limited(limited.limit);
        await this.audit.record('login_limited', client, {
          userId: user.id,
          username: account,
          reason: limited.limit,
        });
        throw tooManyRequests(
          limited.retryAfterSeconds,
          'Too many wrong passwords or codes; try again later.',
        );
      }
      const result = await check();
      await this.loginAttempts.reauthenticated(account, user.id, client);
      return result;
    } finally {
      release();
    }
  }

  private async secondFactorToCheck(
    user: User,
    proof: Reauthentication,
    rule: SecondFactorRule,
  ): Promise<SecondFactor | undefined> {
    if (rule === 'none') return undefined;
    const enabled = await this.mfa.isEnabled(user.id);
    if (!enabled) {
      if (rule === 'required') throw mfaNotEnabled();
      return undefined;
    }
    if (!proof.secondFactor) {
      throw validationProblem([
        {
          field: 'code',
          pointer: '#/code',
          detail: 'code is required: two-factor login is on for this account.',
        },
      ]);
    }
    return proof.secondFactor;
  }
}

export function wrongPassword(): ProblemException {
  return new ProblemException('wrongPassword', 'Current password is incorrect');
}
