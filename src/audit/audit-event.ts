/** Every authentication decision the service records (and answers nothing else about). */
export const AUDIT_EVENT_TYPES = [
  'signup',
  'login_succeeded',
  'login_failed',
  'login_limited',
  'token_refreshed',
  'refresh_reuse_detected',
  'logout',
  'logout_all',
  'password_changed',
  'session_revoked',
  'token_revoked',
  'password_reset_requested',
  'password_reset',
  'email_verification_sent',
  'email_verified',
  'email_change_requested',
  'email_changed',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * Why a login failed or was limited. Stored for operators and the account's owner, never returned
 * to the client that tried (it would tell which usernames exist).
 */
export type LoginFailure =
  'unknown_user' | 'bad_password' | 'account_disabled' | 'email_not_verified';
export type AuditReason = LoginFailure | 'account' | 'address' | 'reverted';

/** One recorded decision: who, what, when, from where. Never a password or a token. */
export interface AuditEvent {
  readonly id: string;
  readonly type: AuditEventType;
  readonly at: Date;
  readonly userId: string | null;
  /** The normalised username tried, when there was one. */
  readonly username: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly requestId: string | null;
  readonly sessionId: string | null;
  readonly reason: AuditReason | null;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

/** A position in a user's history, newest first: events strictly older than it come next. */
export interface AuditCursor {
  readonly at: Date;
  readonly id: string;
}
