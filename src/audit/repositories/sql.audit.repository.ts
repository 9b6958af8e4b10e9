import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import { Database } from '../../database/database.js';
import { toDate, type AuditEventsTable } from '../../database/schema.js';
import type {
  AuditCursor,
  AuditEvent,
  AuditFilter,
  AuditEventType,
  AuditReason,
  NewAuditEvent,
} from '../audit-event.js';
import { AuditRepository } from '../audit.repository.js';

@Injectable()
export class SqlAuditRepository extends AuditRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async append(event: NewAuditEvent): Promise<AuditEvent> {
    const stored: AuditEvent = { ...event, id: randomUUID() };
    await this.db
      .insertInto('audit_events')
      .values({
        id: stored.id,
        type: stored.type,
        at: stored.at.toISOString(),
        user_id: stored.userId,
        username: stored.username,
        ip: stored.ip,
        user_agent: stored.userAgent,
        request_id: stored.requestId,
        session_id: stored.sessionId,
        reason: stored.reason,
        actor_id: stored.actorId,
      })
      .execute();
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

  async deleteOlderThan(cutoff: Date): Promise<number> {
    const result = await this.db
      .deleteFrom('audit_events')
      .where('at', '<', cutoff.toISOString())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
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
  };
}
