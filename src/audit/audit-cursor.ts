import type { AuditCursor, AuditEvent } from './audit-event.js';

/** An opaque page cursor: the position of the last event of a page (newest first). */
export function encodeCursor(event: AuditEvent): string {
  return Buffer.from(`${event.at.toISOString()}|${event.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): AuditCursor | undefined {
  const [at = '', id = ''] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const date = new Date(at);
  return Number.isNaN(date.getTime()) || !id ? undefined : { at: date, id };
}
