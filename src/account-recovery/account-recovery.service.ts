import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import { invalidToken } from '../tokens/bearer-challenges.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import {
  ReauthenticationService,
  type Reauthentication,
} from '../auth/reauthentication.service.js';
import { SignOutEverywhereService } from '../auth/sign-out-everywhere.service.js';
import { SignInMethodsService } from '../auth/sign-in-methods/sign-in-methods.service.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { generateOpaqueToken } from '../common/security/opaque-token.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import {
  LINKS_CANCELLED_BY_ADDRESS_CHANGE,
  LINKS_CANCELLED_BY_PASSWORD_CHANGE,
  MailQueueService,
} from '../mail/mail-queue.service.js';
import type { EmailLink } from '../mail/outbox/email-link.js';
import { LoginAttemptsService } from '../rate-limit/login-attempts.service.js';
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
 * mails themselves are queued (MailQueueService) and sent in the background.
 */
@Injectable()
export class AccountRecoveryService {
  constructor(
    private readonly users: UsersService,
    private readonly hasher: PasswordHasher,
    private readonly passwordPolicy: PasswordPolicyService,
    private readonly signOut: SignOutEverywhereService,
    private readonly loginAttempts: LoginAttemptsService,
    private readonly mail: MailQueueService,
    private readonly audit: AuditService,
    private readonly reauthentication: ReauthenticationService,
    private readonly signInMethods: SignInMethodsService,
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
   * reset and address-change links die, and the address hears of it. Following the link proved
   * control of the mailbox it went to, so that address is marked verified.
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
    // Only if the link went to the address the account still has (false otherwise: no change).
    const verified = await this.users.markEmailVerified(
      user.id,
      link.email ?? user.email,
      new Date(),
    );
    const provedUnverified = verified && user.emailVerifiedAt === null;
    // Issue 25: the address was unverified until now, so every identity on the account was linked
    // while it was: they go, before the sessions end (a sign-in through one cannot slip in between),
    // and whoever controls the mailbox owns the account.
    const unlinked = provedUnverified
      ? await this.signInMethods.unlinkAfterAddressProven(user.id)
      : [];
    await this.signOut.endEverywhere(user.id);
    await this.loginAttempts.clearAccount(usernameKey(user.username), user.id, client);
    await this.mail.cancelLinks(user.id, LINKS_CANCELLED_BY_PASSWORD_CHANGE);
    await this.mail.notifyPasswordChanged(user);
    await this.audit.record('password_reset', client, {
      userId: user.id,
      username: usernameKey(user.username),
    });
    if (provedUnverified) {
      await this.audit.record('email_verified', client, { userId: user.id });
    }
    await this.signInMethods.recordUnlinkedAfterAddressProven(user, unlinked, client);
  }

  /**
   * Uses an email link: verifies the address, confirms a change to a new one (the old address is
   * told, with a link to undo it), or undoes a change (see `undoChange`).
   */
  async verifyEmail(token: string, client: ClientInfo): Promise<void> {
    const purposes = ['email_verification', 'email_change', 'email_revert'] as const;
    // An undo replaces the password: hash the unknowable one before the link is spent, so a busy
    // hasher (503) leaves the link usable, as a 422 does for a reset.
    const peek = await this.mail.liveLink(token, purposes);
    const lockedHash =
      peek?.purpose === 'email_revert' ? await this.hasher.hash(generateOpaqueToken()) : undefined;
    const link = await this.mail.consumeLink(token, purposes);
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
      await this.mail.cancelLinks(user.id, LINKS_CANCELLED_BY_ADDRESS_CHANGE);
      await this.mail.notifyEmailChanged({ ...user, email: link.email }, user.email);
      await this.audit.record('email_changed', client, { userId: user.id });
      return;
    }
    await this.undoChange({ ...user, email: link.email }, link, lockedHash, client);
  }

  /**
   * "This was not me": the address the undo link was mailed to is back (done by the caller).
   * Whoever made the change knew the password, so it stops working at once (replaced by the hash
   * of a secret nobody holds) and every session ends; the pending change and links die, and so do
   * the undo links mailed after this one (an intruder's own cannot put their address back); and a
   * reset link goes to the restored address: the owner must set a new password.
   */
  private async undoChange(
    user: User,
    undo: EmailLink,
    lockedHash: string | undefined,
    client: ClientInfo,
  ): Promise<void> {
    await this.users.updatePasswordHash(
      user.id,
      lockedHash ?? (await this.hasher.hash(generateOpaqueToken())),
    );
    await this.signOut.endEverywhere(user.id);
    await this.mail.cancelLinks(user.id, LINKS_CANCELLED_BY_ADDRESS_CHANGE);
    await this.mail.cancelUndoLinksAfter(undo);
    await this.mail.sendPasswordReset(user, { throttled: false });
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
   * is taken (its owner gets a mail saying so), so this tells no one who is registered. With
   * two-factor login on it needs a code too: the address is where a password reset goes.
   */
  async requestEmailChange(
    caller: AuthenticatedUser,
    newEmail: string,
    proof: Reauthentication,
    client: ClientInfo,
  ): Promise<void> {
    this.mail.assertConfigured();
    const user = await this.caller(caller);
    await this.reauthentication.confirm(user, proof, 'when-enabled', client, caller.sessionId);
    if (emailKey(newEmail) === emailKey(user.email)) {
      throw validationProblem([
        {
          field: 'new_email',
          pointer: '#/new_email',
          detail: 'new_email is already the address of your account.',
        },
      ]);
    }
    await this.mail.requestEmailChange(user, newEmail, await this.users.findByEmail(newEmail));
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
