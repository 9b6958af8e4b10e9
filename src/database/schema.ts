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
}

/** Every table the service owns, as Kysely sees them. */
export interface DatabaseSchema {
  users: UsersTable;
}

export function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}
