import type { ColumnType, RawBuilder } from 'kysely';

/**
 * Timestamps are `timestamptz` on PostgreSQL and ISO-8601 text on SQLite: written as ISO strings
 * (which both accept and which sort correctly as text), read back as Date or string.
 */
export type Timestamp = ColumnType<Date | string, string, string>;

export interface UsersTable {
  id: string;
  /** Display form (NFKC). */
  username: string;
  /** NFKC + lower case: the unique key. */
  username_key: string;
  email: string;
  /** Lower case: the unique key. */
  email_key: string;
  /** Null for an account created through a provider, until its owner sets a password (0013). */
  password_hash: ColumnType<string | null, string | null, string | null>;
  created_at: Timestamp;
  disabled_at: NullableTimestamp;
  /** When the owner proved the address by following a link sent to it; null until then. */
  email_verified_at: NullableTimestamp;
  disabled_reason: string | null;
  last_login_at: NullableTimestamp;
}

/** Roles beyond `user` (which is everyone's and not stored). */
export interface UserRolesTable {
  user_id: string;
  role: string;
}

/** Revocations kept after their session row went with a deleted account. */
export interface SessionRevocationsTable {
  session_id: string;
  revoked_at: Timestamp;
  /** Where the revocation stands in the order other instances read them by (0011). */
  revocation_order: RevocationOrderColumn;
}

/** bigint: pg answers it as a string. */
type RevocationOrderColumn = ColumnType<
  string | number | bigint | null,
  RawBuilder<unknown> | number | null | undefined,
  RawBuilder<unknown> | number | null
>;

type NullableTimestamp = ColumnType<Date | string | null, string | null | undefined, string | null>;

export interface SessionsTable {
  id: string;
  user_id: string;
  created_at: Timestamp;
  last_used_at: Timestamp;
  expires_at: Timestamp;
  user_agent: string | null;
  ip: string | null;
  revoked_at: NullableTimestamp;
  /** RFC 8176 methods as JSON, e.g. ["pwd","otp"]; null for a password-only session. */
  amr: ColumnType<string | null, string | null | undefined, string | null>;
  /** The generation of the current refresh token (0010). */
  generation: ColumnType<number, number | undefined, number>;
  /** SHA-256 of the current refresh token; null while it is a pre-0010 one in refresh_tokens. */
  token_hash: ColumnType<string | null, string | null | undefined, string | null>;
  /** The reuse window (see SessionsService): oldest spent generation still answered, and since when. */
  reuse_window_generation: ColumnType<number | null, number | null | undefined, number | null>;
  reuse_window_started_at: NullableTimestamp;
  /** Where the revocation stands in the order other instances read them by (0011). */
  revocation_order: RevocationOrderColumn;
  /** When the interactive sign-in happened (0014); null for older sessions. */
  auth_time: NullableTimestamp;
  /** The identity provider signed in through (0014); null for a password login. */
  idp: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface MfaFactorsTable {
  user_id: string;
  sealed_secret: string;
  created_at: Timestamp;
  enabled_at: NullableTimestamp;
  last_step: ColumnType<number | string | bigint | null, number | null | undefined, number | null>;
}

export interface MfaRecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  used_at: NullableTimestamp;
}

export interface MfaChallengesTable {
  token_hash: string;
  user_id: string;
  expires_at: Timestamp;
  failures: ColumnType<number, number | undefined, number>;
  used_at: NullableTimestamp;
  /** `fed` after a provider's sign-in (0014); null (older rows too) after a password. */
  first_factor: ColumnType<string | null, string | null | undefined, string | null>;
  idp: ColumnType<string | null, string | null | undefined, string | null>;
}

/**
 * Refresh tokens issued before 0010: read, never written; emptied by the session purge.
 * To be removed, with the legacy branches that read it (`SessionsRepository.findLegacyToken`,
 * `isLegacyRefreshToken`/`adoptLegacyRefreshToken`, `SessionsService.rotateLegacy`) and a
 * migration dropping the table, in the first release after 2027-06-01: six months after 0010
 * shipped (2026-11-30), many times the default 30-day REFRESH_TOKEN_TTL, so no deployment that
 * has run 0010 for a refresh-token lifetime still holds a live one. A token left then answers
 * `401 invalid_grant`, and its holder logs in again.
 */
export interface RefreshTokensTable {
  id: string;
  session_id: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
}

/** Every table the service owns, as Kysely sees them. */
export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** base64url secret (HS256) or PKCS#8 PEM private key. */
  material: string;
  created_at: Timestamp;
}

export interface AuditEventsTable {
  id: string;
  type: string;
  at: Timestamp;
  user_id: string | null;
  username: string | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  session_id: string | null;
  reason: string | null;
  actor_id: string | null;
  /** How a login or signup proved who it was (0014): `pwd` or `fed`; null for other events. */
  method: ColumnType<string | null, string | null | undefined, string | null>;
  /** The identity provider of a `fed` login or signup, or of an identity event (0015); else null. */
  idp: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface ServerSecretsTable {
  name: string;
  /** base64url key material. */
  material: string;
  created_at: Timestamp;
}

export interface KnownLoginAddressesTable {
  /** The normalised username (users.username_key) the login was for. */
  username_key: string;
  ip: string;
  user_id: string;
  last_login_at: Timestamp;
}

export interface EmailLinksTable {
  id: string;
  user_id: string;
  purpose: string;
  token_hash: string | null;
  email: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  revoked_at: NullableTimestamp;
}

export interface MailOutboxTable {
  id: string;
  kind: string;
  recipient: string;
  recipient_key: string;
  user_id: string | null;
  link_id: string | null;
  message_id: string;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Timestamp;
  claimed_until: NullableTimestamp;
  claimed_by: string | null;
  sent_at: NullableTimestamp;
  failed_at: NullableTimestamp;
  failure: string | null;
  created_at: Timestamp;
}

/** What an account's device cookies are checked against (see DeviceCookies). */
export interface AccountDevicesTable {
  user_id: string;
  generation: ColumnType<number, number | undefined, number>;
  minted: ColumnType<number, number | undefined, number>;
}

/** A provider's identity (issuer, sub) linked to an account (0013). */
export interface IdentitiesTable {
  id: string;
  user_id: string;
  /** Our id of the provider (OIDC_PROVIDERS). */
  provider: string;
  issuer: string;
  subject: string;
  /** The address the provider gave when the identity was linked. */
  email: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

/** Between our redirect to a provider and its redirect back (0013). */
export interface FederatedFlowsTable {
  /** SHA-256 of the random value in the flow's cookie. */
  id_hash: string;
  provider: string;
  state: string;
  nonce: string;
  code_verifier: string;
  app_redirect_uri: string;
  app_state: string | null;
  app_code_challenge: string;
  purpose: string;
  user_id: string | null;
  expires_at: Timestamp;
}

/** The single-use codes handed to apps (0013). */
export interface AuthorizationCodesTable {
  /** SHA-256 of the code. */
  code_hash: string;
  user_id: string;
  provider: string;
  purpose: string;
  code_challenge: string;
  redirect_uri: string;
  identity_id: string | null;
  issuer: string;
  subject: string;
  email: string;
  /** 0 or 1. */
  email_verified: number;
  /** RFC 8176 methods as JSON. */
  amr: string;
  auth_time: Timestamp;
  expires_at: Timestamp;
  used_at: NullableTimestamp;
  reused_at: NullableTimestamp;
  result_kind: string | null;
  result_id: string | null;
}

/** A passkey registered to an account (0016). */
export interface PasskeysTable {
  id: string;
  user_id: string;
  /** base64url. */
  credential_id: string;
  /** The COSE public key. */
  public_key: Uint8Array;
  /** bigint: pg answers it as a string. */
  sign_count: ColumnType<string | number | bigint, number, number>;
  /** JSON array of transports. */
  transports: string;
  /** 0 or 1. */
  backed_up: number;
  device_type: string;
  name: string;
  created_at: Timestamp;
  last_used_at: NullableTimestamp;
}

/** Each account's random WebAuthn user handle (0016). */
export interface PasskeyUserHandlesTable {
  user_id: string;
  /** base64url. */
  handle: string;
}

/** A WebAuthn ceremony's single-use challenge (0016). */
export interface WebauthnChallengesTable {
  id: string;
  /** base64url, as the options carried it. */
  challenge: string;
  purpose: string;
  /** The account registering; null for a sign-in. */
  user_id: string | null;
  expires_at: Timestamp;
}

export interface DatabaseSchema {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  server_secrets: ServerSecretsTable;
  known_login_addresses: KnownLoginAddressesTable;
  mfa_factors: MfaFactorsTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  email_links: EmailLinksTable;
  mail_outbox: MailOutboxTable;
  user_roles: UserRolesTable;
  session_revocations: SessionRevocationsTable;
  account_devices: AccountDevicesTable;
  identities: IdentitiesTable;
  federated_flows: FederatedFlowsTable;
  authorization_codes: AuthorizationCodesTable;
  passkeys: PasskeysTable;
  passkey_user_handles: PasskeyUserHandlesTable;
  webauthn_challenges: WebauthnChallengesTable;
}

/** Where revocations take their place in commit order (see commit-order.ts): both tables share one. */
export const REVOCATION_ORDER = [
  { table: 'sessions', column: 'revocation_order' },
  { table: 'session_revocations', column: 'revocation_order' },
] as const;

export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

export function toDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}
