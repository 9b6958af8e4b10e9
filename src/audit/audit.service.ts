import { Injectable, Logger } from '@nestjs/common';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';
import type { AuditEventType, AuditReason, SignInMethod } from './audit-event.js';
import { AuditRepository } from './audit.repository.js';

export interface AuditDetails {
  readonly userId?: string | null;
  readonly username?: string | null;
  readonly sessionId?: string | null;
  readonly reason?: AuditReason;
  /** The admin acting on `userId`'s account (see AuditEvent.actorId). */
  readonly actorId?: string | null;
  /** On login and signup events: a password or a provider. */
  readonly method?: SignInMethod;
  /** With method `fed`, and on identity events: which provider. */
  readonly idp?: string | null;
}

/**
 * Records authentication decisions. The caller awaits the write, so graceful shutdown never loses
 * one; a failing audit store is logged and does not fail the user's request.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(private readonly events: AuditRepository) {}

  async record(
    type: AuditEventType,
    client: ClientInfo,
    details: AuditDetails = {},
  ): Promise<void> {
    try {
      await this.events.append({
        type,
        at: new Date(),
        userId: details.userId ?? null,
        username: details.username ?? null,
        ip: client.ip,
        userAgent: client.userAgent,
        requestId: client.requestId,
        sessionId: details.sessionId ?? null,
        reason: details.reason ?? null,
        actorId: details.actorId ?? null,
        method: details.method ?? null,
        idp: details.idp ?? null,
      });
    } catch (error) {
      this.logger.error(
        `Could not record audit event ${type} (request ${client.requestId ?? '?'}): ${
          error instanceof Error ? error.message : 'unknown error'
        }`,
      );
    }
  }
}
