import type {
  FirstRefreshToken,
  LegacyRefreshToken,
  RotatedSession,
  Session,
  SignInOrigin,
} from './session.js';
import type { ClientInfo } from '../common/decorators/client-info.decorator.js';

/** Where a reader of revocations stands; opaque, from `revocationsAfter`. */
export type RevocationCursor = string;

export interface RevocationsRead {
  readonly revoked: readonly { readonly id: string; readonly revokedAt: Date }[];
  /** For the next read. */
  readonly cursor: RevocationCursor;
}

/** What a rotation expects to find in the session row: the token it spends. */
export interface CurrentRefreshToken {
  readonly generation: number;
  /** Null: the session's current token is still a legacy one (see `findLegacyToken`). */
  readonly tokenHash: string | null;
}

/**
 * Sessions, one row each however often they rotate; the injection token of the store. A row is
 * deleted only by `deleteEndedBefore`, once no token of the session can be valid.
 */
export abstract class SessionsRepository {
  /** Starts a session with its first refresh token; `amr` as the login proved it. */
  abstract create(
    userId: string,
    client: ClientInfo,
    firstToken: FirstRefreshToken,
    now: Date,
    amr?: readonly string[],
    origin?: SignInOrigin,
  ): Promise<Session>;

  abstract findById(id: string): Promise<Session | undefined>;

  /**
   * A refresh in one statement: rotates the session when `spent` is still its current token and
   * the session is live at `now` (not revoked, not expired), and answers the session as it is
   * after, with its holder read by the same statement (one round trip). The reuse window is
   * computed from the row: kept while it started at or after `reuseCutoff` (now minus
   * REFRESH_REUSE_INTERVAL), else moved to the previous rotation when that was at or after it,
   * else to this one. The race guard too: of concurrent rotations of one token exactly one
   * rotates. Undefined when it did not rotate: the caller reads the row to know why.
   */
  abstract rotate(
    sessionId: string,
    spent: CurrentRefreshToken,
    successor: { readonly tokenHash: string; readonly expiresAt: Date },
    reuseCutoff: Date,
    client: ClientInfo,
    now: Date,
  ): Promise<RotatedSession | undefined>;

  /** A refresh token issued before migration 0010, by its hash; never one issued since. */
  abstract findLegacyToken(tokenHash: string): Promise<LegacyRefreshToken | undefined>;

  /** The user's sessions that are neither revoked nor expired, newest first. */
  abstract listLive(userId: string, now: Date): Promise<Session[]>;

  /** Revokes the sessions given that are not revoked yet; answers the ones it revoked. */
  abstract revoke(ids: readonly string[], now: Date): Promise<string[]>;

  /** Revokes every not-yet-revoked session of the user but `exceptId`; answers the ones revoked. */
  abstract revokeAllOfUser(userId: string, now: Date, exceptId?: string): Promise<string[]>;

  /**
   * Revocations for the access-token revocation list. The first read (`cursor` null) answers those
   * at or after `since`; a read with the cursor of the one before answers every revocation
   * committed since that read, whatever its `revoked_at` (a writer's clock may be behind, or its
   * write commit long after its timestamp), and may repeat some already answered.
   */
  abstract revocationsAfter(cursor: RevocationCursor | null, since: Date): Promise<RevocationsRead>;

  /**
   * Deletes the sessions that ended (revoked or expired) before `cutoff`, the revocations kept
   * after deleted accounts from before it, and legacy refresh tokens that expired before it, in
   * batches of at most `batchSize` rows per statement. Answers how many sessions it deleted.
   */
  abstract deleteEndedBefore(cutoff: Date, batchSize?: number): Promise<number>;
}
