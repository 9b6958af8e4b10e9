import { Injectable } from '@nestjs/common';
import { AuditService } from '../../audit/audit.service.js';
import type { ClientInfo } from '../../common/decorators/client-info.decorator.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import type { IntrospectionResponseDto } from './dto/introspection-response.dto.js';
import { TokenInspector } from './token-inspector.js';

const INACTIVE: IntrospectionResponseDto = { active: false };

/** Revocation (RFC 7009) and introspection (RFC 7662) of our tokens. */
@Injectable()
export class OAuthService {
  constructor(
    private readonly inspector: TokenInspector,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
  ) {}

  /** Ends the session of the token, if it is one of ours; the caller learns nothing either way. */
  async revoke(token: string, hint: string | undefined, client: ClientInfo): Promise<void> {
    const sessionId = await this.inspector.sessionOf(token, hint);
    if (!sessionId) return;
    const revoked = await this.sessions.end([sessionId]);
    if (revoked.length === 0) return;
    const session = await this.sessions.findById(sessionId);
    await this.audit.record('token_revoked', client, { userId: session?.userId, sessionId });
  }

  async introspect(token: string, hint: string | undefined): Promise<IntrospectionResponseDto> {
    const live = await this.inspector.live(token, hint);
    if (!live) return INACTIVE;
    if (live.type === 'access_token') {
      const { sub, username, exp, iat, iss, aud, jti, sid } = live.claims;
      return {
        active: true,
        token_type: 'access_token',
        sub,
        username,
        exp,
        iat,
        iss,
        aud,
        jti,
        sid,
      };
    }
    return {
      active: true,
      token_type: 'refresh_token',
      sub: live.session.userId,
      username: live.username,
      exp: Math.floor(live.expiresAt.getTime() / 1000),
      sid: live.session.id,
    };
  }
}
