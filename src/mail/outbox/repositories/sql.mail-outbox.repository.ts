import { Injectable } from '@nestjs/common';
import type { Selectable, Transaction } from 'kysely';
import { deleteInBatches } from '../../../database/batched-delete.js';
import { Database } from '../../../database/database.js';
import {
  toDate,
  toDateOrNull,
  type DatabaseSchema,
  type EmailLinksTable,
  type MailOutboxTable,
} from '../../../database/schema.js';
import {
  supersedesOlder,
  type EmailLink,
  type EmailLinkPurpose,
  type NewEmailLink,
} from '../email-link.js';
import { MailOutboxRepository } from '../mail-outbox.repository.js';
import type { MailFailure, MailKind, NewOutboxMail, OutboxMail } from '../outbox-mail.js';
import { newEmailLink, newOutboxMail } from './outbox-records.js';

type Executor = Database | Transaction<DatabaseSchema>;

/** The outbox in SQLite or PostgreSQL: it survives restarts, and instances share it. */
@Injectable()
export class SqlMailOutboxRepository extends MailOutboxRepository {
  constructor(private readonly db: Database) {
    super();
  }

  enqueue(mail: NewOutboxMail, link?: NewEmailLink): Promise<OutboxMail> {
    return this.db.transaction().execute(async (trx) => {
      const created = link ? await insertLink(trx, link, mail.now) : undefined;
      const queued = newOutboxMail(mail, created?.id ?? null);
      await trx
        .insertInto('mail_outbox')
        .values({
          id: queued.id,
          kind: queued.kind,
          recipient: queued.recipient,
          recipient_key: queued.recipientKey,
          user_id: queued.userId,
          link_id: queued.linkId,
          message_id: queued.messageId,
          attempts: 0,
          next_attempt_at: queued.nextAttemptAt.toISOString(),
          created_at: queued.createdAt.toISOString(),
        })
        .execute();
      return queued;
    });
  }

  async queuedSince(
    recipientKey: string,
    kinds: readonly MailKind[],
    since: Date,
  ): Promise<boolean> {
    const row = await this.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('recipient_key', '=', recipientKey)
      .where('kind', 'in', kinds)
      .where('created_at', '>=', since.toISOString())
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async claimDue(owner: string, now: Date, claimUntil: Date, limit: number): Promise<OutboxMail[]> {
    const at = now.toISOString();
    const candidates = await this.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      .where('next_attempt_at', '<=', at)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)]))
      .orderBy('next_attempt_at')
      .limit(limit)
      .execute();
    const claimed: OutboxMail[] = [];
    for (const { id } of candidates) {
      // The conditional update is the claim: of several instances, one gets each mail.
      const row = await this.db
        .updateTable('mail_outbox')
        .set({ claimed_until: claimUntil.toISOString(), claimed_by: owner })
        .where('id', '=', id)
        .where('sent_at', 'is', null)
        .where('failed_at', 'is', null)
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', at)]))
        .returningAll()
        .executeTakeFirst();
      if (row) claimed.push(toMail(row));
    }
    return claimed;
  }

  async newerQueued(mail: OutboxMail): Promise<boolean> {
    const row = await this.db
      .selectFrom('mail_outbox')
      .select('id')
      .where('recipient_key', '=', mail.recipientKey)
      .where('kind', '=', mail.kind)
      .where('created_at', '>', mail.createdAt.toISOString())
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  attachLink(mailId: string, recipient: string, link: NewEmailLink): Promise<EmailLink> {
    return this.db.transaction().execute(async (trx) => {
      const mail = await trx
        .selectFrom('mail_outbox')
        .select('created_at')
        .where('id', '=', mailId)
        .executeTakeFirstOrThrow();
      const created = await insertLink(trx, link, toDate(mail.created_at));
      await trx
        .updateTable('mail_outbox')
        .set({ recipient, user_id: link.userId, link_id: created.id })
        .where('id', '=', mailId)
        .execute();
      return created;
    });
  }

  async findLink(id: string): Promise<EmailLink | undefined> {
    const row = await this.db
      .selectFrom('email_links')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toLink(row);
  }

  async setLinkHash(linkId: string, tokenHash: string): Promise<void> {
    await this.db
      .updateTable('email_links')
      .set({ token_hash: tokenHash })
      .where('id', '=', linkId)
      .execute();
  }

  async findLinkByHash(
    tokenHash: string,
    purposes: readonly EmailLinkPurpose[],
  ): Promise<EmailLink | undefined> {
    const row = await this.db
      .selectFrom('email_links')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('purpose', 'in', purposes)
      .executeTakeFirst();
    return row && toLink(row);
  }

  async consumeLink(
    tokenHash: string,
    purposes: readonly EmailLinkPurpose[],
    now: Date,
  ): Promise<EmailLink | undefined> {
    const at = now.toISOString();
    // The conditional update is the race guard: only one caller can spend the link.
    const row = await this.db
      .updateTable('email_links')
      .set({ used_at: at })
      .where('token_hash', '=', tokenHash)
      .where('purpose', 'in', purposes)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', at)
      .returningAll()
      .executeTakeFirst();
    return row && toLink(row);
  }

  async revokeLinks(
    userId: string,
    purposes: readonly EmailLinkPurpose[],
    now: Date,
    createdSince?: Date,
  ): Promise<void> {
    await revokeLive(this.db, userId, purposes, now, createdSince);
  }

  async markSent(id: string, now: Date): Promise<void> {
    await this.update(id, { sent_at: now.toISOString() });
  }

  async markRetry(id: string, attempts: number, nextAttemptAt: Date): Promise<void> {
    await this.update(id, { attempts, next_attempt_at: nextAttemptAt.toISOString() });
  }

  async markFailed(id: string, failure: MailFailure, now: Date): Promise<void> {
    await this.update(id, { failed_at: now.toISOString(), failure });
  }

  async sentSince(recipientKey: string, since: Date): Promise<number> {
    const row = await this.db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('recipient_key', '=', recipientKey)
      .where('sent_at', '>=', since.toISOString())
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async pendingCount(): Promise<number> {
    const row = await this.db
      .selectFrom('mail_outbox')
      .select((eb) => eb.fn.countAll<number | string>().as('count'))
      .where('sent_at', 'is', null)
      .where('failed_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async deleteFinishedBefore(cutoff: Date, batchSize?: number): Promise<number> {
    let deleted = 0;
    // Finished is sent or given up: one condition per pass, as the batches need.
    for (const finished of ['sent_at', 'failed_at'] as const) {
      deleted += await deleteInBatches(this.db, {
        table: 'mail_outbox',
        key: 'id',
        olderThan: finished,
        before: cutoff,
        batchSize,
      });
    }
    return deleted;
  }

  private async update(
    id: string,
    changes: {
      sent_at?: string;
      failed_at?: string;
      failure?: string;
      attempts?: number;
      next_attempt_at?: string;
    },
  ): Promise<void> {
    await this.db
      .updateTable('mail_outbox')
      .set({ ...changes, claimed_until: null, claimed_by: null })
      .where('id', '=', id)
      .execute();
  }
}

async function revokeLive(
  db: Executor,
  userId: string,
  purposes: readonly EmailLinkPurpose[],
  now: Date,
  createdSince?: Date,
): Promise<void> {
  let update = db
    .updateTable('email_links')
    .set({ revoked_at: now.toISOString() })
    .where('user_id', '=', userId)
    .where('purpose', 'in', purposes)
    .where('used_at', 'is', null)
    .where('revoked_at', 'is', null);
  if (createdSince) update = update.where('created_at', '>=', createdSince.toISOString());
  await update.execute();
}

/** A new link supersedes the user's live links of its purpose (but an undo link, see supersedesOlder). */
async function insertLink(db: Executor, link: NewEmailLink, now: Date): Promise<EmailLink> {
  if (supersedesOlder(link.purpose)) await revokeLive(db, link.userId, [link.purpose], now);
  const created = newEmailLink(link, now);
  await db
    .insertInto('email_links')
    .values({
      id: created.id,
      user_id: created.userId,
      purpose: created.purpose,
      email: created.email,
      created_at: created.createdAt.toISOString(),
      expires_at: created.expiresAt.toISOString(),
    })
    .execute();
  return created;
}

function toLink(row: Selectable<EmailLinksTable>): EmailLink {
  return {
    id: row.id,
    userId: row.user_id,
    purpose: row.purpose as EmailLinkPurpose,
    tokenHash: row.token_hash,
    email: row.email,
    createdAt: toDate(row.created_at),
    expiresAt: toDate(row.expires_at),
    usedAt: toDateOrNull(row.used_at),
    revokedAt: toDateOrNull(row.revoked_at),
  };
}

function toMail(row: Selectable<MailOutboxTable>): OutboxMail {
  return {
    id: row.id,
    kind: row.kind as MailKind,
    recipient: row.recipient,
    recipientKey: row.recipient_key,
    userId: row.user_id,
    linkId: row.link_id,
    messageId: row.message_id,
    attempts: Number(row.attempts),
    nextAttemptAt: toDate(row.next_attempt_at),
    claimedUntil: toDateOrNull(row.claimed_until),
    claimedBy: row.claimed_by,
    sentAt: toDateOrNull(row.sent_at),
    failedAt: toDateOrNull(row.failed_at),
    failure: row.failure as MailFailure | null,
    createdAt: toDate(row.created_at),
  };
}
