import type { AuditCursor, AuditEvent, AuditFilter, NewAuditEvent } from './audit-event.js';

/** The audit trail's store; the injection token. */
export abstract class AuditRepository {
  abstract append(event: NewAuditEvent): Promise<AuditEvent>;

  /** The user's events, newest first (ties by id), after `before` when given. */
  abstract listForUser(userId: string, limit: number, before?: AuditCursor): Promise<AuditEvent[]>;

  /** Every user's events matching the filter, in the same order and pages as listForUser. */
  abstract list(filter: AuditFilter, limit: number, before?: AuditCursor): Promise<AuditEvent[]>;

  /**
   * Deletes events older than `cutoff`, at most `batchSize` rows per statement (see
   * deleteInBatches); answers how many went.
   */
  abstract deleteOlderThan(cutoff: Date, batchSize?: number): Promise<number>;
}

/**
 * Newest first, ties broken by id descending: the order every implementation lists in. Ids are
 * UUIDv7 (time-ordered, monotonic within a process), so events sharing a millisecond list in the
 * order they were appended.
 */
export function newestFirst(a: AuditEvent, b: AuditEvent): number {
  return b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
