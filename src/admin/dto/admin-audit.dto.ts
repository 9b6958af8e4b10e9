import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import {
  AUDIT_EVENT_TYPES,
  type AuditEvent,
  type AuditEventType,
} from '../../audit/audit-event.js';
import { eventSignInMethod } from '../../auth/sign-in-methods/sign-in-method-names.js';
import { PageQueryDto } from './page-query.dto.js';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the events of this account.' })
  @IsOptional()
  @IsUUID('all', { message: 'user_id must be a UUID.' })
  user_id?: string;

  @ApiPropertyOptional({ enum: AUDIT_EVENT_TYPES, description: 'Only events of this type.' })
  @IsOptional()
  @IsIn(AUDIT_EVENT_TYPES, { message: 'type must be an audit event type.' })
  type?: AuditEventType;
}

export class AdminAuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: AUDIT_EVENT_TYPES })
  type: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The account concerned (kept after it is deleted).',
  })
  user_id: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Who acted on the account: the admin, or the account itself deleting itself; null for the command line and for the account’s own logins, logouts and so on.',
  })
  actor_id: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The normalised username.' })
  username: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true })
  user_agent: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The request’s X-Request-Id.' })
  request_id: string | null;

  @ApiProperty({ type: String, nullable: true })
  session_id: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'For login_failed: unknown_user, bad_password or account_disabled; for login_limited: account or address.',
  })
  reason: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'How a login or signup was made, in the words of `sign_in_methods` (`GET /me`): `password` or `oidc:<provider id>` (`oidc` alone on provider logins recorded before the provider was). Null for other events.',
    example: 'oidc:acme',
  })
  sign_in_method: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The identity provider (its id in `OIDC_PROVIDERS`) a provider login or signup went through, or an identity event concerns; null otherwise and on older events.',
    example: 'acme',
  })
  provider: string | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AdminAuditEventDto], description: 'Newest first.' })
  events: AdminAuditEventDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next (older) page; null on the last page.',
  })
  next_cursor: string | null;
}

export function toAdminAuditEventDto(event: AuditEvent): AdminAuditEventDto {
  return {
    id: event.id,
    type: event.type,
    at: event.at.toISOString(),
    user_id: event.userId,
    actor_id: event.actorId,
    username: event.username,
    ip: event.ip,
    user_agent: event.userAgent,
    request_id: event.requestId,
    session_id: event.sessionId,
    reason: event.reason,
    sign_in_method: eventSignInMethod(event),
    provider: event.idp,
  };
}
