import { Database } from '../../src/database/database.js';
import { MailSenderJob } from '../../src/mail/delivery/mail-sender.job.js';
import { emailKey } from '../../src/users/identity.normalization.js';
import type { TestApp } from './test-app.js';

/** Waits until the app's background sender has nothing left to do right now. */
export async function mailSettled(app: TestApp): Promise<void> {
  const sender = app.app.get(MailSenderJob);
  sender.wake();
  await sender.idle();
}

/**
 * Moves an address's queued mails and their links back in time, as if `ms` had passed: the only
 * way to reach "a minute later" or "expired" without a test that waits that long.
 */
export async function age(app: TestApp, address: string, ms: number): Promise<void> {
  const db = app.app.get(Database);
  const mails = await db
    .selectFrom('mail_outbox')
    .select(['id', 'created_at', 'link_id'])
    .where('recipient_key', '=', emailKey(address))
    .execute();
  for (const mail of mails) {
    const earlier = (value: Date | string) =>
      new Date(new Date(value).getTime() - ms).toISOString();
    await db
      .updateTable('mail_outbox')
      .set({ created_at: earlier(mail.created_at) })
      .where('id', '=', mail.id)
      .execute();
    if (mail.link_id) {
      const link = await db
        .selectFrom('email_links')
        .select(['created_at', 'expires_at'])
        .where('id', '=', mail.link_id)
        .executeTakeFirstOrThrow();
      await db
        .updateTable('email_links')
        .set({ created_at: earlier(link.created_at), expires_at: earlier(link.expires_at) })
        .where('id', '=', mail.link_id)
        .execute();
    }
  }
}

/** Makes the address's mails that wait for a retry due now, and lets the sender try them. */
export async function dueNow(app: TestApp, address: string): Promise<void> {
  await app.app
    .get(Database)
    .updateTable('mail_outbox')
    .set({ next_attempt_at: new Date().toISOString() })
    .where('recipient_key', '=', emailKey(address))
    .where('sent_at', 'is', null)
    .where('failed_at', 'is', null)
    .execute();
  await mailSettled(app);
}
