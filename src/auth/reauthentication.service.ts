import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { MfaService, mfaNotEnabled, wrongMfaCode, type SecondFactor } from '../mfa/mfa.service.js';
import { InFlightLimit } from '../rate-limit/in-flight-limit.js';
import { LoginAttemptsService } from '../rate-limit/login-attempts.service.js';
import { tooManyRequests } from '../rate-limit/too-many-requests.js';
import { usernameKey } from '../users/identity.normalization.js';
import { hasPassword, type User } from '../users/user.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { isLive, type Session } from '../sessions/session.js';
import { SessionsService } from '../sessions/sessions.service.js';

/**
 * Checks of one account that may run at once on an instance: more in parallel would let a single
 * stolen token fill the password-hashing queue that every login shares.
 */
export const CHECKS_IN_FLIGHT_PER_ACCOUNT = 2;

/**
 * What a prove-it-is-you route was sent: the current password (required of an account that has
 * one, ignored for one that has none), and maybe a second factor.
 */
export interface Reauthentication {
  readonly password?: string;
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
 *
 * An account without a password (made through a provider, issue 25) proves itself instead by the
 * caller's session: its interactive sign-in must be within REAUTH_MAX_AGE. The second factor is
 * still asked when the route's rule says so.
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
    private readonly sessions: SessionsService,
    private readonly config: AppConfig,
  ) {}

  /**
   * The current password, then the second factor when `rule` asks for it. Wrong: 403
   * wrong-password or wrong-mfa-code; out of attempts: 429 with Retry-After, even when right.
   * For an account without a password, the session `sessionId` (the caller's) must have signed in
   * interactively within REAUTH_MAX_AGE instead: else 403 reauthentication-required.
   */
  async confirm(
    user: User,
    proof: Reauthentication,
    rule: SecondFactorRule,
    client: ClientInfo,
    sessionId: string,
  ): Promise<void> {
    if (!hasPassword(user)) return this.confirmBySignIn(user, proof, rule, client, sessionId);
    // A recent sign-in never stands in for a password the account has. Missing (or null, which
    // @IsOptional lets through), it is refused as the pipe refused it while the field was
    // required: nothing is checked or counted.
    const { password } = proof;
    if (!password) throw currentPasswordMissing();
    // Decided before the attempt is taken: a request missing what it needs checks nothing.
    const secondFactor = await this.secondFactorToCheck(user, proof, rule);
    await this.underLimits(user, client, async () => {
      if (!(await this.hasher.verify(password, user.passwordHash))) throw wrongPassword();
      await this.checkSecondFactor(user, secondFactor, client, sessionId);
    });
  }

  /**
   * An account without a password: a password sent is ignored (there is none to compare with), and
   * the caller's own session must be a recent interactive sign-in. A stale one is refused before
   * any attempt is taken: it answered nothing, so it counts no failed login. The second factor is
   * then checked as for any account, under the same limits.
   */
  private async confirmBySignIn(
    user: User,
    proof: Reauthentication,
    rule: SecondFactorRule,
    client: ClientInfo,
    sessionId: string,
  ): Promise<void> {
    const maxAgeSeconds = this.config.oidc.reauthMaxAgeSeconds;
    // The session row, not the token's auth_time: an ended session proves nothing.
    const session = await this.sessions.findById(sessionId);
    if (!isRecentSignInOf(user, session, new Date(), maxAgeSeconds)) {
      throw reauthenticationRequired(maxAgeSeconds);
    }
    const secondFactor = await this.secondFactorToCheck(user, proof, rule);
    if (secondFactor) {
      await this.underLimits(user, client, () =>
        this.checkSecondFactor(user, secondFactor, client, sessionId),
      );
    }
  }

  private async checkSecondFactor(
    user: User,
    secondFactor: SecondFactor | undefined,
    client: ClientInfo,
    sessionId: string,
  ): Promise<void> {
    if (
      secondFactor &&
      !(await this.mfa.checkSecondFactor(user.id, secondFactor, client, sessionId))
    ) {
      throw wrongMfaCode();
    }
  }

  /**
   * Whether the account proves itself by its password (true) or by a recent interactive sign-in
   * (false: made through a provider, no password yet; see `confirm`).
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

/**
 * Whether `session` is the user's, live, and signed in interactively — through a provider or a
 * passkey, not a password — at most `maxAgeSeconds` before `now`. Its `authTime` is the sign-in's
 * (or `/login/mfa`'s) and never moves on refresh, so refreshing does not renew the window.
 */
export function isRecentSignInOf(
  user: Pick<User, 'id'>,
  session: Session | undefined,
  now: Date,
  maxAgeSeconds: number,
): boolean {
  if (!session || session.userId !== user.id || !isLive(session, now)) return false;
  // A password login (RFC 8176 `pwd`) proves a password, which an account without one cannot
  // have had: a session older than the account losing it, or a bug elsewhere, proves nothing here.
  if (session.authTime === null || session.amr.includes('pwd')) return false;
  return now.getTime() - session.authTime.getTime() <= maxAgeSeconds * 1000;
}

export function reauthenticationRequired(maxAgeSeconds: number): ProblemException {
  return new ProblemException(
    'reauthenticationRequired',
    `Sign in again (through your identity provider, or with a passkey) to confirm it is you: this needs a sign-in from the last ${describeSeconds(maxAgeSeconds)}.`,
    // Named after OpenID Connect's max_age (Core §3.1.2.1): how old a sign-in may be, in seconds.
    { extensions: { max_age: maxAgeSeconds } },
  );
}

/** As the pipe answered a missing `current_password` while every DTO required it. */
function currentPasswordMissing(): ProblemException {
  return validationProblem([
    {
      field: 'current_password',
      pointer: '#/current_password',
      detail: 'current_password must not be empty.',
    },
  ]);
}

/** `5 minutes`, `1 hour`, `90 seconds`: a REAUTH_MAX_AGE as a person reads it. */
function describeSeconds(seconds: number): string {
  const [amount, unit] =
    seconds % 3600 === 0
      ? [seconds / 3600, 'hour']
      : seconds % 60 === 0
        ? [seconds / 60, 'minute']
        : [seconds, 'second'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
