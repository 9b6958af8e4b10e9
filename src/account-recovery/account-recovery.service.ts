import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { invalidToken } from '../auth/guards/bearer-challenges.js';
import { PasswordHasher } from '../auth/passwords/password-hasher.js';
import { PasswordPolicy } from '../auth/passwords/password-policy.service.js';
import { SessionsService } from '../auth/sessions/sessions.service.js';
import type { AuthenticatedUser } from '../auth/tokens/access-token.claims.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import { LINKS_CANCELLED_BY_CHANGE, MailQueue } from '../mail/mail-queue.service.js';
import type { EmailLink } from '../mail/outbox/email-link.js';
import { LoginAttempts } from '../rate-limit/login-attempts.service.js';
import { emailKey, usernameKey } from '../users/identity.normalization.js';
import type { User } from '../users/user.js';
import { UserConflictError } from '../users/user-conflict.error.js';
import { UsersService } from '../users/users.service.js';

/** One answer for every bad link (used, expired, superseded, unknown): it tells nothing more. */
export function invalidLink(): ProblemException {
  return new ProblemException(
    'invalidTokenLink',
    'This link is invalid or has expired. Ask for a new one.',
  );
}

/**
 * Password reset, email verification and email change: the flows behind the links we mail. The
 * mails themselves are queued (MailQueue) and sent in the background.
 */
@Injectable()
export class AccountRecoveryService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicy,
    private readonly sessions: SessionsService,
    private readonly loginAttempts: LoginAttempts,
    private readonly mail: MailQueue,
    private readonly audit: AuditService,
  ) {}

  /** Queues a reset for whatever was typed; the same work and answer for every address. */
  async forgotPassword(email: string, client: ClientInfo): Promise<void> {
    this.mail.assertConfigured();
    await this.mail.requestPasswordReset(email);
    await this.audit.record('password_reset_requested', client);
  }

  /**
   * Sets a new password with a reset link. The password is checked before the link is spent, so
   * a 422 leaves the link usable. Every session ends, the failed-login count is cleared, pending
   * links die, and the address hears of it.
   */
  async resetPassword(token: string, newPassword: string, client: ClientInfo): Promise<void> {
    const link = await this.mail.liveLink(token, ['password_reset']);
    const user = link && (await this.activeUser(link));
    if (!user) throw invalidLink();
    this.passwordPolicy.assertAcceptable(newPassword, user, 'new_password');
    const passwordHash = await this.hasher.hash(newPassword);
    // Spent only now, in one conditional step: of two concurrent resets, one wins.
    if (!(await this.mail.consumeLink(token, ['password_reset']))) throw invalidLink();
    await this.users.updatePasswordHash(user.id, passwordHash);
    await this.sessions.endEverywhere(user.id);
    await this.loginAttempts.clearAccount(usernameKey(user.username), user.id, client);
    await this.mail.cancelLinks(user.id);
    await this.mail.notifyPasswordChanged(user);
    await this.audit.record('password_reset', client, {
      userId: user.id,
      username: usernameKey(user.username),
    });
  }

  /**
   * Uses an email link: verifies the address, confirms a change to a new one (the old address is
   * told, with a link to undo it), or undoes a change (every session ends, in case it was not the
   * owner who made it).
   */
  async verifyEmail(token: string, client: ClientInfo): Promise<void> {
    const link = await this.mail.consumeLink(token, [
      'email_verification',
      'email_change',
      'email_revert',
    ]);
    const user = link && (await this.activeUser(link));
    if (!link?.email || !user) throw invalidLink();
    const now = new Date();
    if (link.purpose === 'email_verification') {
      if (!(await this.users.markEmailVerified(user.id, link.email, now))) throw invalidLink();
      await this.audit.record('email_verified', client, { userId: user.id });
      return;
    }
    await this.changeEmail(user, link.email, now);
    if (link.purpose === 'email_change') {
      await this.mail.cancelLinks(user.id);
      await this.mail.notifyEmailChanged({ ...user, email: link.email }, user.email);
      await this.audit.record('email_changed', client, { userId: user.id });
      return;
    }
    await this.mail.cancelLinks(user.id, [...LINKS_CANCELLED_BY_CHANGE, 'email_revert']);
    await this.sessions.endEverywhere(user.id);
    await this.audit.record('email_changed', client, { userId: user.id, reason: 'reverted' });
  }

  /** A fresh verification link for the caller's address (at most one a minute). */
  async resendVerification(caller: AuthenticatedUser, client: ClientInfo): Promise<void> {
    this.mail.assertConfigured();
    const user = await this.caller(caller);
    if (user.emailVerifiedAt !== null) return;
    if (await this.mail.sendVerification(user, { throttled: true })) {
      await this.audit.record('email_verification_sent', client, { userId: user.id });
    }
  }

  /**
   * Asks to move the account to a new address. The answer is the same whether or not the address
   * is taken (its owner gets a mail saying so), so this tells no one who is registered.
   */
  async requestEmailChange(
    caller: AuthenticatedUser,
    newEmail: string,
    currentPassword: string,
    client: ClientInfo,
  ): Promise<void> {
    this.mail.assertConfigured();
    const user = await this.caller(caller);
    if (!(await this.hasher.verify(currentPassword, user.passwordHash))) {
      throw new ProblemException('wrongPassword', 'Current password is incorrect');
    }
    if (emailKey(newEmail) === emailKey(user.email)) {
      throw validationProblem([
        {
          field: 'new_email',
          pointer: '#/new_email',
          detail: 'new_email is already the address of your account.',
        },
      ]);
    }
    const taken = (await this.users.findByEmail(newEmail)) !== undefined;
    await this.mail.requestEmailChange(user, newEmail, taken);
    await this.audit.record('email_change_requested', client, { userId: user.id });
  }

  private async changeEmail(user: User, email: string, now: Date): Promise<void> {
    try {
      await this.users.changeEmail(user.id, email, now);
    } catch (error) {
      // Someone else took the address since the link was sent.
      if (error instanceof UserConflictError) throw invalidLink();
      throw error;
    }
  }

  private async activeUser(link: EmailLink): Promise<User | undefined> {
    const user = await this.users.findById(link.userId);
    return user && !user.disabledAt ? user : undefined;
  }

  private async caller(caller: AuthenticatedUser): Promise<User> {
    const user = await this.users.findById(caller.id);
    if (!user || user.disabledAt) throw invalidToken();
    return user;
  }
}
