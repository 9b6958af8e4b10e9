import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { AUDIT_EVENT_TYPES, type AuditEvent } from '../../audit/audit-event.js';
import { eventSignInMethod } from '../../auth/sign-in-methods/sign-in-method-names.js';

export const ACTIVITY_MAX_LIMIT = 100;

export class ActivityQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: ACTIVITY_MAX_LIMIT, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number.' })
  @Min(1, { message: 'limit must be at least 1.' })
  @Max(ACTIVITY_MAX_LIMIT, { message: `limit must be at most ${ACTIVITY_MAX_LIMIT}.` })
  limit?: number;

  @ApiPropertyOptional({
    description: 'The `next_cursor` of the previous page.',
    maxLength: 128,
    pattern: '^[A-Za-z0-9_-]+$',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,128}$/, { message: 'cursor is not one this service gave out.' })
  cursor?: string;
}

export class ActivityEventDto {
  @ApiProperty({ enum: AUDIT_EVENT_TYPES })
  type: string;

  @ApiProperty({ format: 'date-time' })
  at: string;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ type: String, nullable: true })
  user_agent: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'The session concerned, if any.' })
  session_id: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'For login_failed: bad_password or account_disabled.',
  })
  reason: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'How a login or signup was made, in the words of `sign_in_methods` (`GET /me`): `password` or `oidc:<provider id>` (`oidc` alone on provider logins recorded before the provider was). Null for other events.',
    example: 'password',
  })
  sign_in_method: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'The identity provider (its id in `GET /oauth/providers`) a provider login or signup went through, or an `identity_linked` / `identity_unlinked` event concerns; null otherwise and on older events.',
    example: 'acme',
  })
  provider: string | null;
}

export class ActivityPageDto {
  @ApiProperty({ type: [ActivityEventDto] })
  events: ActivityEventDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next (older) page; null on the last page.',
  })
  next_cursor: string | null;
}

export function toActivityEventDto(event: AuditEvent): ActivityEventDto {
  return {
    type: event.type,
    at: event.at.toISOString(),
    ip: event.ip,
    user_agent: event.userAgent,
    session_id: event.sessionId,
    reason: event.reason,
    sign_in_method: eventSignInMethod(event),
    provider: event.idp,
  };
}
