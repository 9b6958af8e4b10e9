/** Every authentication decision the service records (and answers nothing else about). */
export const AUDIT_EVENT_TYPES = [
  'signup',
  'login_succeeded',
  'login_failed',
  'login_limited',
  'token_refreshed',
  'refresh_reuse_tolerated',
  'refresh_reuse_detected',
  'logout',
  'logout_all',
  'password_changed',
  'session_revoked',
  'token_revoked',
  'mfa_enabled',
  'mfa_disabled',
  'mfa_challenge_failed',
  'mfa_recovery_code_used',
  'mfa_recovery_codes_regenerated',
  'password_reset_requested',
  'password_reset',
  'email_verification_sent',
  'email_verified',
  'email_change_requested',
  'email_changed',
  // A provider's identity linked to the account (automatically, by a trusted verified address).
  'identity_linked',
  // A provider's identity taken off the account: by its owner, an admin (actorId), or a password
  // reset that proved an address the account had not verified.
  'identity_unlinked',
  // A passkey registered to the account by its owner.
  'passkey_added',
  // A passkey taken off the account: by its owner or an admin (actorId).
  'passkey_removed',
  // A passkey sign-in refused because the authenticator's signature counter did not go up
  // (WebAuthn L3 §6.1.1): the credential may have been copied.
  'passkey_clone_suspected',
  // An admin's (or the command line's) action on an account; actorId says who acted.
  'user_created',
  'roles_changed',
  'account_disabled',
  'account_enabled',
  'all_sessions_revoked',
  'account_deleted',
] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/**
 * Why a login failed or was limited. Stored for operators and the account's owner, never returned
 * to the client that tried (it would tell which usernames exist).
 */
export type LoginFailure =
  | 'unknown_user'
  | 'bad_password'
  | 'account_disabled'
  | 'email_not_verified'
  // A passkey assertion that did not verify (challenge, origin, RP id, flags, signature, handle).
  | 'invalid_passkey';
/**
 * Which limit answered 429: `address` is RATE_LIMIT_PER_IP (requests per minute); the others are
 * failed-login counters — this account from this address (`account_address`) or this device
 * cookie (`device`), this account from clients it does not know (`account`), this address across
 * accounts (`address_failures`).
 */
export type LimitReason = 'address' | 'account_address' | 'device' | 'account' | 'address_failures';
/**
 * `reverted`: an email change undone from the old address's link. `address_proven`: an identity
 * unlinked because a password reset proved the address the account had not verified.
 */
export type AuditReason = LoginFailure | LimitReason | 'reverted' | 'address_proven';

/**
 * How a login or signup proved who it was: a password and an identity provider by their RFC 8176
 * names, and a passkey by its own (its `amr` is `["pop","user","mfa"]`, which names no one method).
 */
export type SignInMethod = 'pwd' | 'fed' | 'passkey';

export const SIGN_IN_METHODS: readonly SignInMethod[] = ['pwd', 'fed', 'passkey'];

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
  /**
   * Who acted, when that was not simply the account's own request: the admin, or the account
   * itself deleting itself; null for the command line and for everything else.
   */
  readonly actorId: string | null;
  /** On login and signup events: how it was made; null on others and on older events. */
  readonly method: SignInMethod | null;
  /**
   * The identity provider (its id in OIDC_PROVIDERS) a `fed` login or signup went through, or an
   * identity event (`identity_linked`, `identity_unlinked`) concerns; null otherwise and on older events.
   */
  readonly idp: string | null;
}

export type NewAuditEvent = Omit<AuditEvent, 'id'>;

/** Which events an admin is looking at; every field narrows the list. */
export interface AuditFilter {
  readonly userId?: string;
  readonly type?: AuditEventType;
}

/** A position in a user's history, newest first: events strictly older than it come next. */
export interface AuditCursor {
  readonly at: Date;
  readonly id: string;
}
