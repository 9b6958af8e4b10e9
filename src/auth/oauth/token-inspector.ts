import { Injectable } from '@nestjs/common';
import { UsersService } from '../../users/users.service.js';
import { RevocationList } from '../../sessions/revocation-list.js';
import { isLive, type Session } from '../../sessions/session.js';
import { SessionsService } from '../../sessions/sessions.service.js';
import type { AccessTokenClaims } from '../../tokens/access-token.claims.js';
import { AccessTokenVerifier } from '../../tokens/access-token.verifier.js';

export type TokenTypeHint = 'access_token' | 'refresh_token';

/** A token of ours that is live right now: what introspection answers `active: true` for. */
export type LiveToken =
  | { readonly type: 'access_token'; readonly claims: AccessTokenClaims }
  | {
      readonly type: 'refresh_token';
      readonly session: Session;
      readonly username: string;
      readonly expiresAt: Date;
    };

/**
 * Finds what a token presented to /revoke or /introspect is, whatever its shape: a string that is
 * not a token of ours is simply not found. The hint only says which kind to try first (RFC 7009
 * §2.1, RFC 7662 §2.1): a wrong hint still finds the token.
 */
@Injectable()
export class TokenInspector {
  constructor(
    private readonly verifier: AccessTokenVerifier,
    private readonly revocations: RevocationList,
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
  ) {}

  /** The live token, or undefined for one that is expired, revoked, spent, unknown or malformed. */
  async live(token: string, hint?: string): Promise<LiveToken | undefined> {
    const asAccess = () => this.liveAccessToken(token);
    const asRefresh = () => this.liveRefreshToken(token);
    const order = hint === 'refresh_token' ? [asRefresh, asAccess] : [asAccess, asRefresh];
    for (const find of order) {
      const found = await find();
      if (found) return found;
    }
    return undefined;
  }

  /**
   * The session a token belongs to, live or not, for revocation: an access token must carry our
   * valid signature (an expired one is harmless and left alone); a refresh token may be spent.
   */
  async sessionOf(token: string, hint?: string): Promise<string | undefined> {
    const viaAccess = async () => (await this.validAccessToken(token))?.sid;
    const viaRefresh = async () => (await this.sessions.sessionOf(token))?.id;
    const order = hint === 'refresh_token' ? [viaRefresh, viaAccess] : [viaAccess, viaRefresh];
    for (const find of order) {
      const id = await find();
      if (id) return id;
    }
    return undefined;
  }

  private async liveAccessToken(token: string): Promise<LiveToken | undefined> {
    const claims = await this.validAccessToken(token);
    if (!claims || this.revocations.isRevoked(claims.sid)) return undefined;
    // Not the hot path: a deleted or disabled account's tokens are inactive here at once.
    const user = await this.users.findById(claims.sub);
    if (!user || user.disabledAt) return undefined;
    return { type: 'access_token', claims };
  }

  private async liveRefreshToken(token: string): Promise<LiveToken | undefined> {
    const found = await this.sessions.findToken(token);
    // A rotated token is spent, even while a reuse window would still answer it at /refresh.
    if (!found?.current || !isLive(found.session, new Date())) return undefined;
    const { session } = found;
    const user = await this.users.findById(session.userId);
    if (!user || user.disabledAt) return undefined;
    // The current token expires with its session.
    return {
      type: 'refresh_token',
      session,
      username: user.username,
      expiresAt: session.expiresAt,
    };
  }

  /** Our signature, issuer, audience and expiry checked; revocation is the caller's concern. */
  private async validAccessToken(token: string): Promise<AccessTokenClaims | undefined> {
    // A refresh token or random text has no JWT header: skip the verifier's work.
    if (token.split('.').length !== 3) return undefined;
    try {
      return await this.verifier.verify(token);
    } catch {
      return undefined;
    }
  }
}
