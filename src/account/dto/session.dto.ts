import { ApiProperty } from '@nestjs/swagger';
import { sessionSignInMethod } from '../../auth/sign-in-methods/sign-in-method-names.js';
import type { Session } from '../../sessions/session.js';

export class SessionDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'date-time', description: 'When the session began (the login).' })
  created_at: string;

  @ApiProperty({ format: 'date-time', description: 'The last login or refresh.' })
  last_used_at: string;

  @ApiProperty({ format: 'date-time', description: 'When it ends unless refreshed.' })
  expires_at: string;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0 (X11; Linux x86_64)…' })
  user_agent: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip: string | null;

  @ApiProperty({ description: 'True for the session of the access token making this request.' })
  current: boolean;

  @ApiProperty({
    description:
      'How the session’s sign-in was made, in the words of `sign_in_methods` (`GET /me`): `password` or `oidc:<provider id>`. A second factor does not change it; refreshes keep it.',
    example: 'password',
  })
  sign_in_method: string;
}

export class SessionListDto {
  @ApiProperty({ type: [SessionDto] })
  sessions: SessionDto[];
}

export function toSessionDto(session: Session, currentSessionId: string): SessionDto {
  return {
    id: session.id,
    created_at: session.createdAt.toISOString(),
    last_used_at: session.lastUsedAt.toISOString(),
    expires_at: session.expiresAt.toISOString(),
    user_agent: session.userAgent,
    ip: session.ip,
    current: session.id === currentSessionId,
    sign_in_method: sessionSignInMethod(session),
  };
}
