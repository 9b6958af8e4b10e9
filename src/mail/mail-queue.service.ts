import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ProblemException } from '../common/problems/problem.exception.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { emailKey } from '../users/identity.normalization.js';
import type { User } from '../users/user.js';
import { MailSenderJob } from './delivery/mail-sender.job.js';
import { linkLifetimeSeconds } from './mail-links.js';
import {
  hashLinkToken,
  isLiveLink,
  type EmailLink,
  type EmailLinkPurpose,
  type NewEmailLink,
} from './outbox/email-link.js';
import { MailOutboxRepository } from './outbox/mail-outbox.repository.js';
import type { MailKind } from './outbox/outbox-mail.js';

/** At most one mail of a kind to one address per minute: a button pressed twice sends one. */
export const RESEND_INTERVAL_MS = 60_000;

/** The kinds that share one per-address throttle: either answer to /me/email counts. */
const THROTTLED_TOGETHER: Readonly<Partial<Record<MailKind, readonly MailKind[]>>> = {
  password_reset: ['password_reset'],
  email_verification: ['email_verification'],
  email_change: ['email_change', 'email_taken'],
  email_taken: ['email_change', 'email_taken'],
};

/**
 * The links a password change (or reset) leaves useless: pending resets and address changes. Not
 * a verification link: the address is the same, and proving it is still worth doing.
 */
export const LINKS_CANCELLED_BY_PASSWORD_CHANGE: readonly EmailLinkPurpose[] = [
  'password_reset',
  'email_change',
];

/**
 * The links an address change (or undo) leaves useless: every pending one but an undo link, which
 * only an undo cancels (see supersedesOlder).
 */
export const LINKS_CANCELLED_BY_ADDRESS_CHANGE: readonly EmailLinkPurpose[] = [
  'password_reset',
  'email_verification',
  'email_change',
];

/**
 * What the rest of the service asks of mail: queue a mail (with its link, in one transaction)
 * and let the background sender deliver it, so no request waits for SMTP or fails because of it;
 * and spend or cancel the links mails carried.
 */
@Injectable()
export class MailQueueService {
  constructor(
    private readonly outbox: MailOutboxRepository,
    private readonly sender: MailSenderJob,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  /** False in production without SMTP_URL: nothing can be sent. */
  get configured(): boolean {
    return this.config.mail.delivery !== 'off';
  }

  /** For the endpoints whose whole purpose is a mail: 503 when mail is not configured. */
  assertConfigured(): void {
    if (!this.configured) {
      throw new ProblemException(
        'mailNotConfigured',
        'This server cannot send mail (SMTP_URL is not configured), so this request cannot be carried out.',
      );
    }
  }

  /**
   * A reset request for whatever address was typed: one throttle check and one insert, whether
   * or not the address is registered (the sender looks it up later), so neither the answer nor
   * its timing tells.
   */
  requestPasswordReset(email: string): Promise<boolean> {
    return this.queue('password_reset', email, null);
  }

  /**
   * A reset link for a known account, to its stored address: an administrator's reset (throttled
   * like a request), or after an undo, which asks for a new password (not throttled).
   */
  sendPasswordReset(user: User, { throttled }: { throttled: boolean }): Promise<boolean> {
    return this.queue('password_reset', user.email, user, throttled, {
      purpose: 'password_reset',
      email: user.email,
    });
  }

  /** A fresh verification link for the account's address; `throttled` spares a repeat. */
  sendVerification(user: User, { throttled }: { throttled: boolean }): Promise<boolean> {
    return this.queue('email_verification', user.email, user, throttled, {
      purpose: 'email_verification',
      email: user.email,
    });
  }

  /**
   * Asks to move the account to `newEmail`: a confirmation link to that address, or, when another
   * account holds it, a mail telling that account's owner so, at the address stored on that
   * account, not as typed (the requester gets the same answer either way).
   */
  requestEmailChange(user: User, newEmail: string, takenBy: User | undefined): Promise<boolean> {
    if (takenBy) return this.queue('email_taken', takenBy.email, null);
    return this.queue('email_change', newEmail, user, true, {
      purpose: 'email_change',
      email: newEmail,
    });
  }

  /** Tells the old address of a change, with a link that puts it back. */
  notifyEmailChanged(user: User, oldEmail: string): Promise<boolean> {
    return this.queue('email_changed', oldEmail, user, false, {
      purpose: 'email_revert',
      email: oldEmail,
    });
  }

  notifyPasswordChanged(user: User): Promise<boolean> {
    return this.queue('password_changed', user.email, user, false);
  }

  /** Two-factor login was turned off: the owner hears of it, in case it was not them. */
  notifyMfaDisabled(user: User): Promise<boolean> {
    return this.queue('mfa_disabled', user.email, user, false);
  }

  /** A recovery code was used to log in (or to change two-factor settings). */
  notifyRecoveryCodeUsed(user: User): Promise<boolean> {
    return this.queue('mfa_recovery_code_used', user.email, user, false);
  }

  /** A provider's identity was linked to the account by its address: the owner hears of it. */
  notifyIdentityLinked(user: User): Promise<boolean> {
    return this.queue('identity_linked', user.email, user, false);
  }

  /** A provider's identity was unlinked from the account (by its owner, an admin, or a reset). */
  notifyIdentityUnlinked(user: User): Promise<boolean> {
    return this.queue('identity_unlinked', user.email, user, false);
  }

  /** A passkey was registered to the account: it signs in on its own, so the owner hears of it. */
  notifyPasskeyAdded(user: User): Promise<boolean> {
    return this.queue('passkey_added', user.email, user, false);
  }

  /** A passkey was removed from the account (by its owner or an admin). */
  notifyPasskeyRemoved(user: User): Promise<boolean> {
    return this.queue('passkey_removed', user.email, user, false);
  }

  /** Spends a live link with this token; undefined for any other token (the same for every kind of bad). */
  consumeLink(
    token: string,
    purposes: readonly EmailLinkPurpose[],
  ): Promise<EmailLink | undefined> {
    return this.outbox.consumeLink(hashLinkToken(token), purposes, new Date());
  }

  /** The live link with this token, without spending it. */
  async liveLink(
    token: string,
    purposes: readonly EmailLinkPurpose[],
  ): Promise<EmailLink | undefined> {
    const link = await this.outbox.findLinkByHash(hashLinkToken(token), purposes);
    return link && isLiveLink(link, new Date()) ? link : undefined;
  }

  /** Cancels the account's pending links: their queued mails are dropped, sent ones stop working. */
  cancelLinks(userId: string, purposes: readonly EmailLinkPurpose[]): Promise<void> {
    return this.outbox.revokeLinks(userId, purposes, new Date());
  }

  /**
   * An undo was followed: cancels the undo links mailed after it, to the addresses held after the
   * one it restored, so an intruder's own undo link cannot put their address back. Older undo
   * links (to addresses held before) keep working.
   */
  cancelUndoLinksAfter(undo: EmailLink): Promise<void> {
    return this.outbox.revokeLinks(undo.userId, ['email_revert'], new Date(), undo.createdAt);
  }

  /** Queues unless throttled or mail is off; answers whether it queued. */
  private async queue(
    kind: MailKind,
    recipient: string,
    user: User | null,
    throttled = true,
    link?: Pick<NewEmailLink, 'purpose' | 'email'>,
  ): Promise<boolean> {
    if (!this.configured) return false;
    const now = new Date();
    const together = THROTTLED_TOGETHER[kind];
    if (throttled && together) {
      const since = new Date(now.getTime() - RESEND_INTERVAL_MS);
      if (await this.outbox.queuedSince(emailKey(recipient), together, since)) return false;
    }
    await this.outbox.enqueue(
      { kind, recipient, userId: user?.id ?? null, now },
      link && user
        ? {
            ...link,
            userId: user.id,
            expiresAt: new Date(
              now.getTime() + linkLifetimeSeconds(link.purpose, this.config) * 1000,
            ),
          }
        : undefined,
    );
    this.metrics.mail(kind, 'queued');
    this.sender.wake();
    return true;
  }
}
