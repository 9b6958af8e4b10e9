/** Every kind of mail the service sends; each has its templates in src/mail/templates/. */
export const MAIL_KINDS = [
  'password_reset',
  'email_verification',
  'email_change',
  'email_taken',
  'email_changed',
  'password_changed',
  'mfa_disabled',
  'mfa_recovery_code_used',
  'identity_linked',
  'identity_unlinked',
  'passkey_added',
  'passkey_removed',
] as const;
export type MailKind = (typeof MAIL_KINDS)[number];

/** Why a queued mail was not (or no longer will be) sent. */
export type MailFailure =
  'no_account' | 'link_dead' | 'superseded' | 'daily_limit' | 'gave_up' | 'user_gone';

/** A mail in the outbox, sent by the background sender (at least once). */
export interface OutboxMail {
  readonly id: string;
  readonly kind: MailKind;
  readonly recipient: string;
  /** The recipient's email key (lower case): limits count per address. */
  readonly recipientKey: string;
  /** Null for a password-reset request until the sender has looked the address up. */
  readonly userId: string | null;
  readonly linkId: string | null;
  /** Stable across retries, so a rare duplicate delivery is recognisable. */
  readonly messageId: string;
  readonly attempts: number;
  readonly nextAttemptAt: Date;
  readonly claimedUntil: Date | null;
  readonly claimedBy: string | null;
  readonly sentAt: Date | null;
  readonly failedAt: Date | null;
  readonly failure: MailFailure | null;
  readonly createdAt: Date;
}

export interface NewOutboxMail {
  readonly kind: MailKind;
  readonly recipient: string;
  readonly userId: string | null;
  readonly now: Date;
}
