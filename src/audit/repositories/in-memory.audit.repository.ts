import { v7 as timeOrderedUuid } from 'uuid';
import { Injectable } from '@nestjs/common';
import type { AuditCursor, AuditEvent, AuditFilter, NewAuditEvent } from '../audit-event.js';
import { AuditRepository, newestFirst } from '../audit.repository.js';

@Injectable()
export class InMemoryAuditRepository extends AuditRepository {
  private events: AuditEvent[] = [];

  append(event: NewAuditEvent): Promise<AuditEvent> {
    const stored: AuditEvent = { ...event, id: timeOrderedUuid() };
    this.events.push(stored);
    return Promise.resolve(stored);
  }

  listForUser(userId: string, limit: number, before?: AuditCursor): Promise<AuditEvent[]> {
    return this.list({ userId }, limit, before);
  }

  list(filter: AuditFilter, limit: number, before?: AuditCursor): Promise<AuditEvent[]> {
    const page = this.events
      .filter(
        (event) =>
          (filter.userId === undefined || event.userId === filter.userId) &&
          (filter.type === undefined || event.type === filter.type) &&
          (!before || isOlder(event, before)),
      )
      .sort(newestFirst)
      .slice(0, limit);
    return Promise.resolve(page);
  }

  deleteOlderThan(cutoff: Date): Promise<number> {
    const before = this.events.length;
    this.events = this.events.filter((event) => event.at >= cutoff);
    return Promise.resolve(before - this.events.length);
  }
}

function isOlder(event: AuditEvent, cursor: AuditCursor): boolean {
  const delta = event.at.getTime() - cursor.at.getTime();
  return delta < 0 || (delta === 0 && event.id < cursor.id);
}
