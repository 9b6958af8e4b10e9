import type { ColumnType } from 'kysely';

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
  password_hash: string;
  created_at: Timestamp;
  disabled_at: NullableTimestamp;
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
}

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
}

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
}

export interface DatabaseSchema {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  user_roles: UserRolesTable;
  session_revocations: SessionRevocationsTable;
}

export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

export function toDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}
