import { v7 as timeOrderedUuid } from 'uuid';
import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import { deleteInBatches } from '../../database/batched-delete.js';
import { Database } from '../../database/database.js';
import { preparedQuery } from '../../database/prepared-query.js';
import { toDate, type AuditEventsTable } from '../../database/schema.js';
import type {
  AuditCursor,
  AuditEvent,
  AuditFilter,
  AuditEventType,
  AuditReason,
  NewAuditEvent,
  SignInMethod,
} from '../audit-event.js';
import { SIGN_IN_METHODS } from '../audit-event.js';
import { AuditRepository } from '../audit.repository.js';

type AuditRow = [
  id: string,
  type: AuditEventType,
  at: string,
  userId: string | null,
  username: string | null,
  ip: string | null,
  userAgent: string | null,
  requestId: string | null,
  sessionId: string | null,
  reason: AuditReason | null,
  actorId: string | null,
  method: SignInMethod | null,
  idp: string | null,
];

@Injectable()
export class SqlAuditRepository extends AuditRepository {
  /** Every login and refresh appends an event: the insert is compiled once (see preparedQuery). */
  private readonly insert: (...values: AuditRow) => Promise<unknown>;

  constructor(private readonly db: Database) {
    super();
    this.insert = preparedQuery(db, 13, (...row: AuditRow) => {
      const [id, type, at, user_id, username, ip, user_agent, request_id, session_id, reason] = row;
      const actor_id = row[10];
      const method = row[11];
      const idp = row[12];
      return db.insertInto('audit_events').values({
        id,
        type,
        at,
        user_id,
        username,
        ip,
        user_agent,
        request_id,
        session_id,
        reason,
        actor_id,
        method,
        idp,
      });
    });
  }

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    const stored: AuditEvent = { ...event, id: timeOrderedUuid() };
    await this.insert(
      stored.id,
      stored.type,
      stored.at.toISOString(),
      stored.userId,
      stored.username,
      stored.ip,
      stored.userAgent,
      stored.requestId,
      stored.sessionId,
      stored.reason,
      stored.actorId,
      stored.method,
      stored.idp,
    );
    return stored;
  }

  listForUser(userId: string, limit: number, before?: AuditCursor): Promise<AuditEvent[]> {
    return this.list({ userId }, limit, before);
  }

  async list(filter: AuditFilter, limit: number, before?: AuditCursor): Promise<AuditEvent[]> {
    let query = this.db.selectFrom('audit_events').selectAll();
    if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
    if (filter.type !== undefined) query = query.where('type', '=', filter.type);
    if (before) {
      const at = before.at.toISOString();
      query = query.where((eb) =>
        eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', before.id)])]),
      );
    }
    const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toEvent);
  }

  deleteOlderThan(cutoff: Date, batchSize?: number): Promise<number> {
    return deleteInBatches(this.db, {
      table: 'audit_events',
      key: 'id',
      olderThan: 'at',
      before: cutoff,
      batchSize,
    });
  }
}

function toEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    id: row.id,
    type: row.type as AuditEventType,
    at: toDate(row.at),
    userId: row.user_id,
    username: row.username,
    ip: row.ip,
    userAgent: row.user_agent,
    requestId: row.request_id,
    sessionId: row.session_id,
    reason: row.reason as AuditReason | null,
    actorId: row.actor_id,
    method: SIGN_IN_METHODS.find((known) => known === row.method) ?? null,
    idp: row.idp,
  };
}
