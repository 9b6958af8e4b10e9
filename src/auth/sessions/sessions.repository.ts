import { NewRefreshToken, RefreshTokenRecord, Session } from './session.js';
import type { ClientInfo } from '../../common/decorators/client-info.decorator.js';

export type RotationOutcome = 'rotated' | 'reused';

/** Sessions and their refresh tokens; the injection token of the store. */
export abstract class SessionsRepository {
  /** Starts a session with its first refresh token; `amr` as the login proved it. */
  abstract create(
    userId: string,
    client: ClientInfo,
    firstToken: NewRefreshToken,
    now: Date,
    amr?: readonly string[],
  ): Promise<Session>;

  abstract findById(id: string): Promise<Session | undefined>;

  abstract findByTokenHash(
    tokenHash: string,
  ): Promise<{ token: RefreshTokenRecord; session: Session } | undefined>;

  /**
   * Spends `tokenId` and adds its successor in one step. Answers `reused` (changing nothing) when
   * the token was already spent, even by a concurrent call.
   */
  abstract rotate(
    tokenId: string,
    successor: NewRefreshToken,
    client: ClientInfo,
    now: Date,
  ): Promise<RotationOutcome>;

  /** The session's token that is not spent yet (its newest: a session's tokens form one chain). */
  abstract currentToken(sessionId: string): Promise<RefreshTokenRecord | undefined>;

  /** The user's sessions that are neither revoked nor expired, newest first. */
  abstract listLive(userId: string, now: Date): Promise<Session[]>;

  /** Revokes the sessions given that are not revoked yet; answers the ones it revoked. */
  abstract revoke(ids: readonly string[], now: Date): Promise<string[]>;

  /** Revokes every not-yet-revoked session of the user but `exceptId`; answers the ones revoked. */
  abstract revokeAllOfUser(userId: string, now: Date, exceptId?: string): Promise<string[]>;

  /** Sessions revoked at or after `since` (for the access-token revocation list). */
  abstract revokedSince(since: Date): Promise<{ id: string; revokedAt: Date }[]>;
}
