import { randomUUID } from 'node:crypto';
import { emailKey } from '../../../users/identity.normalization.js';
import type { EmailLink, NewEmailLink } from '../email-link.js';
import type { NewOutboxMail, OutboxMail } from '../outbox-mail.js';

/** A queued mail as it starts: due now, never tried. */
export function newOutboxMail(mail: NewOutboxMail, linkId: string | null): OutboxMail {
  const id = randomUUID();
  return {
    id,
    kind: mail.kind,
    recipient: mail.recipient,
    recipientKey: emailKey(mail.recipient),
    userId: mail.userId,
    linkId,
    // RFC 5322 §3.6.4: unique per message, and the same for every attempt to send it.
    messageId: `<${id}@nest-jwt-auth>`,
    attempts: 0,
    nextAttemptAt: mail.now,
    claimedUntil: null,
    claimedBy: null,
    sentAt: null,
    failedAt: null,
    failure: null,
    createdAt: mail.now,
  };
}

export function newEmailLink(link: NewEmailLink, now: Date): EmailLink {
  return {
    ...link,
    id: randomUUID(),
    tokenHash: null,
    createdAt: now,
    usedAt: null,
    revokedAt: null,
  };
}
