import { Injectable } from '@nestjs/common';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { AuditService } from '../audit/audit.service.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import { LoginAttemptsService } from '../rate-limit/login-attempts.service.js';
import { tooManyFailedLogins } from '../rate-limit/too-many-requests.js';
import { usernameKey } from '../users/identity.normalization.js';
import type { User } from '../users/user.js';
import { UsersService } from '../users/users.service.js';
import { AuthService } from './auth.service.js';
import type { IssuedTokens } from './dto/token-response.dto.js';

/**
 * A passkey with user verification is two factors in one gesture (something held, something known
 * or are): RFC 8176's `pop` (proof of possession), `user` (user presence) and `mfa`, so
 * ADMIN_REQUIRE_MFA accepts it and no TOTP step follows.
 */
export const PASSKEY_AMR: readonly string[] = ['pop', 'user', 'mfa'];

/**
 * Signing in with a passkey (issue 26): usernameless, so the account is known only once the
 * assertion is checked. Each attempt draws on the address's failed-login allowance across accounts
 * only; a verified one gives it back and starts a session as every other way in does.
 */
@Injectable()
export class PasskeySignInService {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly users: UsersService,
    private readonly auth: AuthService,
    private readonly loginAttempts: LoginAttemptsService,
    private readonly audit: AuditService,
    private readonly metrics: MetricsService,
  ) {}

  options(): ReturnType<PasskeysService['authenticationOptions']> {
    return this.passkeys.authenticationOptions();
  }

  /**
   * The usual token response, or `401 invalid_grant` for every failure: a refused assertion, a
   * suspected clone (also audited as such), a disabled account.
   */
  async signIn(
    challengeId: string,
    response: AuthenticationResponseJSON,
    client: ClientInfo,
  ): Promise<{ user: User; tokens: IssuedTokens }> {
    const limited = await this.loginAttempts.beginForAddress(client);
    if (limited) {
      this.metrics.login('limited');
      this.metrics.limited(limited.limit);
      await this.audit.record('login_limited', client, { reason: limited.limit });
      throw tooManyFailedLogins(limited.retryAfterSeconds);
    }
    const outcome = await this.passkeys.verifyAssertion(challengeId, response);
    if (outcome.kind === 'clone_suspected') {
      await this.audit.record('passkey_clone_suspected', client, {
        userId: outcome.passkey.userId,
      });
    }
    if (outcome.kind !== 'verified') {
      this.metrics.login('invalid_passkey');
      await this.audit.record('login_failed', client, {
        userId: outcome.passkey?.userId,
        reason: 'invalid_passkey',
        method: 'passkey',
      });
      throw invalidPasskey();
    }
    const user = await this.users.findById(outcome.passkey.userId);
    if (!user || user.disabledAt) {
      // As /login answers a disabled account: the same 401 as any failure.
      this.metrics.login('account_disabled');
      await this.audit.record('login_failed', client, {
        userId: user?.id,
        username: user ? usernameKey(user.username) : undefined,
        reason: 'account_disabled',
        method: 'passkey',
      });
      throw invalidPasskey();
    }
    await this.loginAttempts.addressAttemptSucceeded(client);
    await this.auth.assertEmailVerified(user, client);
    // auth_time: now, the interactive sign-in (never moved by a refresh).
    const { tokens } = await this.auth.startSession(
      user,
      client,
      PASSKEY_AMR,
      { authTime: new Date(), idp: null },
      'passkey',
    );
    return { user, tokens };
  }
}

export const INVALID_PASSKEY =
  'The passkey sign-in failed: ask for new options and try again, or sign in another way.';

/** RFC 6749 §5.2: every failed assertion, whatever check it failed. */
export function invalidPasskey(): ProblemException {
  return new ProblemException('invalidPasskey', INVALID_PASSKEY, {
    extensions: { error: 'invalid_grant' },
  });
}
