import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { PeriodicJob } from '../../lifecycle/periodic-job.js';
import { errorMessage } from '../../logging/error-message.js';
import { MetricsService } from '../../metrics/metrics.service.js';
import type { User } from '../../users/user.js';
import { UsersService } from '../../users/users.service.js';
import {
  generateLinkToken,
  hashLinkToken,
  isLiveLink,
  type EmailLink,
} from '../outbox/email-link.js';
import { MailOutboxRepository } from '../outbox/mail-outbox.repository.js';
import type { MailFailure, MailKind, OutboxMail } from '../outbox/outbox-mail.js';
import { MailTemplates } from '../templates/mail-templates.js';
import { linkLifetimeSeconds, linkUrl } from '../mail-links.js';
import { MailTransport } from './mail-transport.js';
import { nextAttemptAt } from './retry-schedule.js';

/** How often the outbox is looked at when nothing wakes the sender. */
export const POLL_INTERVAL_MS = 1_000;
/** A claim outlives the transport's worst case (connect, greeting and socket timeouts). */
const CLAIM_MS = 2 * 60_000;
const BATCH = 10;
/** At most this many mails to one address in 24 hours. */
export const DAILY_LIMIT_PER_RECIPIENT = 10;
const DAY_MS = 24 * 3_600_000;
/**
 * The notice to a replaced address (with its undo link) always goes: else an intruder could fill
 * the address's daily quota with reset requests first. It cannot flood anyone: each one needs a
 * change away from that address, which only its mailbox could have confirmed.
 */
const EXEMPT_FROM_DAILY_LIMIT: readonly MailKind[] = ['email_changed'];
/** Finished mails are kept this long (the daily limit and the resend throttle read them). */
const KEEP_FINISHED_MS = 2 * DAY_MS;

/**
 * Sends the outbox: claims due mails (one instance per mail), resolves password-reset requests to
 * their account, drops what must not go out (a dead link, a superseded request, an address over
 * its daily limit), mints each link's token just before sending and stores only its hash, and
 * retries failures with backoff for 24 hours. HTTP requests only queue; they never wait for SMTP.
 * The timer never keeps the process alive, and shutdown waits for the pass in progress.
 */
@Injectable()
export class MailSenderJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Mail');
  private readonly owner = randomUUID();
  private readonly job = new PeriodicJob({
    name: 'Mail pass',
    everyMs: POLL_INTERVAL_MS,
    logger: this.logger,
    pass: (stopping) => this.pass(stopping),
  });
  private lastPrune = 0;
  private pending = 0;

  constructor(
    private readonly outbox: MailOutboxRepository,
    private readonly transport: MailTransport,
    private readonly templates: MailTemplates,
    private readonly users: UsersService,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    metrics.gauge(
      'mail_outbox_pending',
      'Mails in the outbox waiting to be sent.',
      () => this.pending,
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.mail.delivery === 'off') {
      this.logger.warn(
        'Mail is not configured (no SMTP_URL): /password/forgot, /me/email and /me/email/verification answer 503, and signup sends no verification mail',
      );
      return;
    }
    // A restart resumes the queue: whatever is due goes out now.
    this.job.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.job.stop();
    await this.transport.close();
  }

  /** Runs a pass now (after a mail is queued); a pass already running runs once more. */
  wake(): void {
    if (this.config.mail.delivery === 'off') return;
    this.job.wake();
  }

  /** Resolves when the pass in progress, if any, has finished (for tests and shutdown). */
  idle(): Promise<void> {
    return this.job.idle();
  }

  private async pass(stopping: AbortSignal): Promise<void> {
    for (;;) {
      const now = new Date();
      const claimed = await this.outbox.claimDue(
        this.owner,
        now,
        new Date(now.getTime() + CLAIM_MS),
        BATCH,
      );
      for (const mail of claimed) {
        if (stopping.aborted) return;
        await this.deliver(mail);
      }
      if (claimed.length < BATCH || stopping.aborted) break;
    }
    this.pending = await this.outbox.pendingCount();
    if (Date.now() - this.lastPrune > 3_600_000) {
      this.lastPrune = Date.now();
      await this.outbox.deleteFinishedBefore(new Date(Date.now() - KEEP_FINISHED_MS));
    }
  }

  private async deliver(claimed: OutboxMail): Promise<void> {
    const now = new Date();
    let mail = claimed;
    if (mail.kind === 'password_reset' && mail.linkId === null) {
      // A reset request: only now is the address looked up, so /password/forgot does the same
      // work for every address.
      if (await this.outbox.newerQueued(mail)) return this.drop(mail, 'superseded');
      const owner = await this.users.findByEmail(mail.recipient);
      if (!owner || owner.disabledAt) return this.drop(mail, 'no_account');
      // Mail about an account goes to the address stored on it, never to the string typed.
      const link = await this.outbox.attachLink(mail.id, owner.email, {
        userId: owner.id,
        purpose: 'password_reset',
        email: owner.email,
        expiresAt: new Date(
          mail.createdAt.getTime() + linkLifetimeSeconds('password_reset', this.config) * 1000,
        ),
      });
      mail = { ...mail, recipient: owner.email, userId: owner.id, linkId: link.id };
    }
    const link = mail.linkId === null ? undefined : await this.outbox.findLink(mail.linkId);
    if (mail.linkId !== null && (!link || !isLiveLink(link, now)))
      return this.drop(mail, 'link_dead');
    const user = mail.userId === null ? undefined : await this.users.findById(mail.userId);
    if (mail.userId !== null && (!user || user.disabledAt)) return this.drop(mail, 'user_gone');
    if (!EXEMPT_FROM_DAILY_LIMIT.includes(mail.kind)) {
      const since = new Date(now.getTime() - DAY_MS);
      const recent = await this.outbox.sentSince(mail.recipientKey, since);
      if (recent >= DAILY_LIMIT_PER_RECIPIENT) return this.drop(mail, 'daily_limit');
    }

    try {
      await this.transport.send({
        from: this.config.mail.from,
        to: mail.recipient,
        messageId: mail.messageId,
        ...this.templates.render(mail.kind, await this.values(mail, user, link, now)),
      });
    } catch (error) {
      return this.failed(mail, error);
    }
    await this.outbox.markSent(mail.id, new Date());
    this.metrics.mail(mail.kind, 'sent');
    this.logger.log(`Mail ${mail.id} (${mail.kind}) sent`);
  }

  /** What the templates fill in; a link's token is minted here, its hash stored, the token sent. */
  private async values(
    mail: OutboxMail,
    user: User | undefined,
    link: EmailLink | undefined,
    now: Date,
  ): Promise<Record<string, string>> {
    const values: Record<string, string> = {
      username: user?.username ?? '',
      when: `${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
      // The address the mail is about: the one to confirm, or the account's new one.
      email: mail.kind === 'email_changed' ? (user?.email ?? '') : (link?.email ?? mail.recipient),
    };
    if (link) {
      const token = generateLinkToken();
      await this.outbox.setLinkHash(link.id, hashLinkToken(token));
      values.link = linkUrl(link.purpose, token, this.config);
      values.expires = humanDuration(linkLifetimeSeconds(link.purpose, this.config));
    }
    return values;
  }

  private async failed(mail: OutboxMail, error: unknown): Promise<void> {
    const attempts = mail.attempts + 1;
    const next = nextAttemptAt(
      attempts,
      mail.createdAt,
      new Date(),
      this.config.mail.retryDelaySeconds * 1000,
    );
    this.metrics.mail(mail.kind, 'failed');
    if (!next) {
      this.logger.error(
        `Mail ${mail.id} (${mail.kind}) given up after ${attempts} attempts in 24 h: ${errorMessage(error)}`,
      );
      await this.outbox.markFailed(mail.id, 'gave_up', new Date());
      return;
    }
    this.logger.warn(
      `Mail ${mail.id} (${mail.kind}) not sent (attempt ${attempts}; next at ${next.toISOString()}): ${errorMessage(error)}`,
    );
    await this.outbox.markRetry(mail.id, attempts, next);
  }

  private async drop(mail: OutboxMail, failure: MailFailure): Promise<void> {
    await this.outbox.markFailed(mail.id, failure, new Date());
    this.metrics.mail(mail.kind, 'dropped');
    this.logger.log(`Mail ${mail.id} (${mail.kind}) dropped: ${failure}`);
  }
}

function humanDuration(seconds: number): string {
  const [amount, unit] =
    seconds % 86_400 === 0 && seconds >= 2 * 86_400
      ? [seconds / 86_400, 'day']
      : seconds % 3_600 === 0
        ? [seconds / 3_600, 'hour']
        : [Math.round(seconds / 60), 'minute'];
  return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
}
