import { Injectable } from '@nestjs/common';
import {
  isLiveLink,
  supersedesOlder,
  type EmailLink,
  type EmailLinkPurpose,
  type NewEmailLink,
} from '../email-link.js';
import { MailOutboxRepository } from '../mail-outbox.repository.js';
import type { MailFailure, MailKind, NewOutboxMail, OutboxMail } from '../outbox-mail.js';
import { newEmailLink, newOutboxMail } from './outbox-records.js';

/** The outbox in this process only (DATABASE_URL=memory:): lost on restart, like everything else. */
@Injectable()
export class InMemoryMailOutboxRepository extends MailOutboxRepository {
  private readonly mails = new Map<string, OutboxMail>();
  private readonly links = new Map<string, EmailLink>();

  enqueue(mail: NewOutboxMail, link?: NewEmailLink): Promise<OutboxMail> {
    let linkId: string | null = null;
    if (link) {
      if (supersedesOlder(link.purpose)) this.revoke(link.userId, [link.purpose], mail.now);
      const created = newEmailLink(link, mail.now);
      this.links.set(created.id, created);
      linkId = created.id;
    }
    const queued = newOutboxMail(mail, linkId);
    this.mails.set(queued.id, queued);
    return Promise.resolve(queued);
  }

  queuedSince(recipientKey: string, kinds: readonly MailKind[], since: Date): Promise<boolean> {
    return Promise.resolve(
      [...this.mails.values()].some(
        (m) => m.recipientKey === recipientKey && kinds.includes(m.kind) && m.createdAt >= since,
      ),
    );
  }

  claimDue(owner: string, now: Date, claimUntil: Date, limit: number): Promise<OutboxMail[]> {
    // Synchronous check-and-set: nothing else runs between the test and the claim.
    const due = [...this.mails.values()]
      .filter(
        (m) =>
          m.sentAt === null &&
          m.failedAt === null &&
          m.nextAttemptAt <= now &&
          (m.claimedUntil === null || m.claimedUntil < now),
      )
      .sort((a, b) => a.nextAttemptAt.getTime() - b.nextAttemptAt.getTime())
      .slice(0, limit)
      .map((m) => ({ ...m, claimedUntil: claimUntil, claimedBy: owner }));
    for (const mail of due) this.mails.set(mail.id, mail);
    return Promise.resolve(due);
  }

  newerQueued(mail: OutboxMail): Promise<boolean> {
    return Promise.resolve(
      [...this.mails.values()].some(
        (m) =>
          m.id !== mail.id &&
          m.kind === mail.kind &&
          m.recipientKey === mail.recipientKey &&
          m.createdAt > mail.createdAt,
      ),
    );
  }

  attachLink(mailId: string, recipient: string, link: NewEmailLink): Promise<EmailLink> {
    const mail = this.mails.get(mailId);
    if (!mail) return Promise.reject(new Error(`no queued mail ${mailId}`));
    if (supersedesOlder(link.purpose)) this.revoke(link.userId, [link.purpose], mail.createdAt);
    const created = newEmailLink(link, mail.createdAt);
    this.links.set(created.id, created);
    this.mails.set(mailId, { ...mail, recipient, userId: link.userId, linkId: created.id });
    return Promise.resolve(created);
  }

  findLink(id: string): Promise<EmailLink | undefined> {
    return Promise.resolve(this.links.get(id));
  }

  setLinkHash(linkId: string, tokenHash: string): Promise<void> {
    const link = this.links.get(linkId);
    if (link) this.links.set(linkId, { ...link, tokenHash });
    return Promise.resolve();
  }

  findLinkByHash(
    tokenHash: string,
    purposes: readonly EmailLinkPurpose[],
  ): Promise<EmailLink | undefined> {
    return Promise.resolve(
      [...this.links.values()].find(
        (l) => l.tokenHash === tokenHash && purposes.includes(l.purpose),
      ),
    );
  }

  consumeLink(
    tokenHash: string,
    purposes: readonly EmailLinkPurpose[],
    now: Date,
  ): Promise<EmailLink | undefined> {
    // Synchronous check-and-set: one of two concurrent uses gets it.
    const link = [...this.links.values()].find(
      (l) => l.tokenHash === tokenHash && purposes.includes(l.purpose),
    );
    if (!link || !isLiveLink(link, now)) return Promise.resolve(undefined);
    const spent = { ...link, usedAt: now };
    this.links.set(link.id, spent);
    return Promise.resolve(spent);
  }

  revokeLinks(
    userId: string,
    purposes: readonly EmailLinkPurpose[],
    now: Date,
    createdSince?: Date,
  ): Promise<void> {
    this.revoke(userId, purposes, now, createdSince);
    return Promise.resolve();
  }

  markSent(id: string, now: Date): Promise<void> {
    return this.update(id, { sentAt: now, claimedUntil: null, claimedBy: null });
  }

  markRetry(id: string, attempts: number, nextAttemptAt: Date): Promise<void> {
    return this.update(id, { attempts, nextAttemptAt, claimedUntil: null, claimedBy: null });
  }

  markFailed(id: string, failure: MailFailure, now: Date): Promise<void> {
    return this.update(id, { failedAt: now, failure, claimedUntil: null, claimedBy: null });
  }

  sentSince(recipientKey: string, since: Date): Promise<number> {
    return Promise.resolve(
      [...this.mails.values()].filter(
        (m) => m.recipientKey === recipientKey && m.sentAt !== null && m.sentAt >= since,
      ).length,
    );
  }

  pendingCount(): Promise<number> {
    return Promise.resolve(
      [...this.mails.values()].filter((m) => m.sentAt === null && m.failedAt === null).length,
    );
  }

  deleteFinishedBefore(cutoff: Date): Promise<number> {
    let deleted = 0;
    for (const [id, m] of this.mails) {
      const finished = m.sentAt ?? m.failedAt;
      if (finished && finished < cutoff) {
        this.mails.delete(id);
        deleted++;
      }
    }
    return Promise.resolve(deleted);
  }

  private revoke(
    userId: string,
    purposes: readonly EmailLinkPurpose[],
    now: Date,
    createdSince?: Date,
  ): void {
    for (const link of this.links.values()) {
      if (
        link.userId === userId &&
        purposes.includes(link.purpose) &&
        isLiveLink(link, now) &&
        (createdSince === undefined || link.createdAt >= createdSince)
      ) {
        this.links.set(link.id, { ...link, revokedAt: now });
      }
    }
  }

  private update(id: string, changes: Partial<OutboxMail>): Promise<void> {
    const mail = this.mails.get(id);
    if (mail) this.mails.set(id, { ...mail, ...changes });
    return Promise.resolve();
  }
}
