import type { EmailLink, EmailLinkPurpose, NewEmailLink } from './email-link.js';
import type { MailFailure, MailKind, NewOutboxMail, OutboxMail } from './outbox-mail.js';

/**
 * The outbox and the links its mails carry; the injection token of their store. A mail and its
 * link are written in one transaction, so neither exists without the other.
 */
export abstract class MailOutboxRepository {
  /**
   * Queues a mail; with `link`, also creates the link and revokes the user's live links of the
   * same purpose (a new link supersedes the old; never an undo link, see supersedesOlder), all in
   * one transaction.
   */
  abstract enqueue(mail: NewOutboxMail, link?: NewEmailLink): Promise<OutboxMail>;

  /** Whether a mail of one of `kinds` to this address was queued at or after `since`. */
  abstract queuedSince(
    recipientKey: string,
    kinds: readonly MailKind[],
    since: Date,
  ): Promise<boolean>;

  /**
   * Claims up to `limit` due mails (unsent, not given up, next attempt due) for `owner` until
   * `claimUntil`. A claimed mail is given to no one else until its claim ends, so several
   * instances never send one mail together.
   */
  abstract claimDue(
    owner: string,
    now: Date,
    claimUntil: Date,
    limit: number,
  ): Promise<OutboxMail[]>;

  /** Whether a mail of the same kind to the same address was queued after this one. */
  abstract newerQueued(mail: OutboxMail): Promise<boolean>;

  /**
   * A password-reset request whose address belongs to `link.userId`: creates the link (revoking
   * the user's older reset links) and ties the mail to the user and the link, in one transaction.
   * The mail now goes to `recipient`, the address stored on the account (the same email key as
   * the address typed, perhaps not the same spelling).
   */
  abstract attachLink(mailId: string, recipient: string, link: NewEmailLink): Promise<EmailLink>;

  abstract findLink(id: string): Promise<EmailLink | undefined>;

  /** Sets the hash of the token just minted for the link (replacing any earlier attempt's). */
  abstract setLinkHash(linkId: string, tokenHash: string): Promise<void>;

  /** The link with this token hash and one of `purposes`, live or not. */
  abstract findLinkByHash(
    tokenHash: string,
    purposes: readonly EmailLinkPurpose[],
  ): Promise<EmailLink | undefined>;

  /**
   * Spends a live link (unused, not revoked, not expired) in one conditional step, so of two
   * concurrent uses exactly one gets it; undefined for anything else.
   */
  abstract consumeLink(
    tokenHash: string,
    purposes: readonly EmailLinkPurpose[],
    now: Date,
  ): Promise<EmailLink | undefined>;

  /**
   * Revokes the user's live links of these purposes (a password or address change); with
   * `createdSince`, only those created at or after it (an undo cancels the undo links mailed
   * after its own, to addresses held after the one it restores).
   */
  abstract revokeLinks(
    userId: string,
    purposes: readonly EmailLinkPurpose[],
    now: Date,
    createdSince?: Date,
  ): Promise<void>;

  abstract markSent(id: string, now: Date): Promise<void>;
  /** A failed attempt: counts it and releases the claim until `nextAttemptAt`. */
  abstract markRetry(id: string, attempts: number, nextAttemptAt: Date): Promise<void>;
  /** Not sent, and never will be. */
  abstract markFailed(id: string, failure: MailFailure, now: Date): Promise<void>;

  /** How many mails went to this address at or after `since` (the daily limit). */
  abstract sentSince(recipientKey: string, since: Date): Promise<number>;

  /** Mails still waiting to be sent. */
  abstract pendingCount(): Promise<number>;

  /**
   * Deletes mails sent or given up before `cutoff`, at most `batchSize` rows per statement (see
   * deleteInBatches); answers how many went.
   */
  abstract deleteFinishedBefore(cutoff: Date, batchSize?: number): Promise<number>;
}
