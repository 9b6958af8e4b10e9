import { Injectable } from '@nestjs/common';
import { sql, type QueryResult, type Selectable, type UpdateResult } from 'kysely';
import { Database } from '../../database/database.js';
import { preparedQuery } from '../../database/prepared-query.js';
import { commitOrder, commitOrderMark } from '../../database/commit-order.js';
import { deleteInBatches, PURGE_BATCH_SIZE } from '../../database/batched-delete.js';
import {
  REVOCATION_ORDER,
  toDate,
  toDateOrNull,
  type SessionsTable,
} from '../../database/schema.js';
import {
  newSession,
  PASSWORD_ONLY,
  type FirstRefreshToken,
  type LegacyRefreshToken,
  type RotatedRefreshToken,
  type Session,
} from '../session.js';
import type { ClientInfo } from '../../common/decorators/client-info.decorator.js';
import {
  SessionsRepository,
  type CurrentRefreshToken,
  type RevocationCursor,
  type RevocationsRead,
} from '../sessions.repository.js';

/** id, spent generation and hash, next generation and hash, reuse window, now, expiry, client. */
type RotateValues = [
  id: string,
  generation: number,
  spentHash: string,
  next: number,
  nextHash: string,
  windowGeneration: number,
  windowStartedAt: string,
  now: string,
  expiresAt: string,
  ip: string | null,
  userAgent: string | null,
];

/** id, spent generation and hash, next generation and hash, reuse cutoff, now, expiry, client. */
type RotateCurrentValues = [
  id: string,
  generation: number,
  spentHash: string,
  next: number,
  nextHash: string,
  reuseCutoff: string,
  now: string,
  expiresAt: string,
  ip: string | null,
  userAgent: string | null,
];

@Injectable()
export class SqlSessionsRepository extends SessionsRepository {
  /** What every refresh runs, compiled once (see preparedQuery). */
  private readonly hot: {
    readonly byId: (id: string) => Promise<QueryResult<Selectable<SessionsTable>>>;
    readonly rotate: (...values: RotateValues) => Promise<QueryResult<UpdateResult>>;
    readonly rotateCurrent: (
      ...values: RotateCurrentValues
    ) => Promise<QueryResult<Selectable<SessionsTable>>>;
  };

  constructor(private readonly db: Database) {
    super();
    this.hot = {
      byId: preparedQuery(db, 1, (id: string) =>
        db.selectFrom('sessions').selectAll().where('id', '=', id),
      ),
      rotate: preparedQuery(db, 11, (...values: RotateValues) => {
        const [id, generation, spentHash, next, nextHash, window, windowAt, now, expires, ip, ua] =
          values;
        return db
          .updateTable('sessions')
          .set({
            generation: next,
            token_hash: nextHash,
            reuse_window_generation: window,
            reuse_window_started_at: windowAt,
            last_used_at: now,
            expires_at: expires,
            ip,
            user_agent: ua,
          })
          .where('id', '=', id)
          .where('generation', '=', generation)
          .where('token_hash', '=', spentHash)
          .where('revoked_at', 'is', null);
      }),
      rotateCurrent: preparedQuery(db, 10, (...values: RotateCurrentValues) => {
        const [id, generation, spentHash, next, nextHash, cutoff, now, expires, ip, ua] = values;
        // SET reads the row as it was: the window from the old one (see SessionsRepository).
        const windowKept = sql`reuse_window_started_at >= ${cutoff}`;
        const previousWithin = sql`generation > 0 and last_used_at >= ${cutoff}`;
        return db
          .updateTable('sessions')
          .set({
            generation: next,
            token_hash: nextHash,
            reuse_window_generation: sql<number>`case when ${windowKept} then reuse_window_generation when ${previousWithin} then generation - 1 else generation end`,
            reuse_window_started_at: sql<string>`case when ${windowKept} then reuse_window_started_at when ${previousWithin} then last_used_at else ${now} end`,
            last_used_at: now,
            expires_at: expires,
            ip,
            user_agent: ua,
          })
          .where('id', '=', id)
          .where('generation', '=', generation)
          .where('token_hash', '=', spentHash)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .returningAll();
      }),
    };
  }

  private revocationOrder() {
    return commitOrder(this.db, REVOCATION_ORDER);
  }

  async create(
    userId: string,
    client: ClientInfo,
    first: FirstRefreshToken,
    now: Date,
    amr?: readonly string[],
  ): Promise<Session> {
    const session = newSession(userId, client, first, now, amr);
    await this.db
      .insertInto('sessions')
      .values({
        id: session.id,
        user_id: userId,
        created_at: now.toISOString(),
        last_used_at: now.toISOString(),
        expires_at: first.expiresAt.toISOString(),
        user_agent: client.userAgent,
        ip: client.ip,
        amr: JSON.stringify(session.amr),
        generation: 0,
        token_hash: first.tokenHash,
      })
      .execute();
    return session;
  }

  async findById(id: string): Promise<Session | undefined> {
    const row = (await this.hot.byId(id)).rows[0];
    return row && toSession(row);
  }

  async rotateCurrent(
    sessionId: string,
    spent: { readonly generation: number; readonly tokenHash: string },
    successor: { readonly tokenHash: string; readonly expiresAt: Date },
    reuseCutoff: Date,
    client: ClientInfo,
    now: Date,
  ): Promise<Session | undefined> {
    const { rows } = await this.hot.rotateCurrent(
      sessionId,
      spent.generation,
      spent.tokenHash,
      spent.generation + 1,
      successor.tokenHash,
      reuseCutoff.toISOString(),
      now.toISOString(),
      successor.expiresAt.toISOString(),
      client.ip,
      client.userAgent,
    );
    return rows[0] && toSession(rows[0]);
  }

  async rotate(
    sessionId: string,
    spent: CurrentRefreshToken,
    successor: RotatedRefreshToken,
    client: ClientInfo,
    now: Date,
  ): Promise<boolean> {
    // One conditional update by primary key, no transaction: the WHERE clause is the race guard.
    if (spent.tokenHash !== null) {
      const { numAffectedRows } = await this.hot.rotate(
        sessionId,
        spent.generation,
        spent.tokenHash,
        spent.generation + 1,
        successor.tokenHash,
        successor.reuseWindow.generation,
        successor.reuseWindow.startedAt.toISOString(),
        now.toISOString(),
        successor.expiresAt.toISOString(),
        client.ip,
        client.userAgent,
      );
      return numAffectedRows === 1n;
    }
    // A session still on its pre-0010 token: the rare path, built as it runs.
    const result = await this.db
      .updateTable('sessions')
      .set({
        generation: spent.generation + 1,
        token_hash: successor.tokenHash,
        reuse_window_generation: successor.reuseWindow.generation,
        reuse_window_started_at: successor.reuseWindow.startedAt.toISOString(),
        last_used_at: now.toISOString(),
        expires_at: successor.expiresAt.toISOString(),
        ip: client.ip,
        user_agent: client.userAgent,
      })
      .where('id', '=', sessionId)
      .where('generation', '=', spent.generation)
      .where('token_hash', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return result.numUpdatedRows === 1n;
  }

  async findLegacyToken(tokenHash: string): Promise<LegacyRefreshToken | undefined> {
    const row = await this.db
      .selectFrom('refresh_tokens as t')
      .innerJoin('sessions as s', 's.id', 't.session_id')
      .selectAll('s')
      .select(['t.expires_at as legacy_expires_at', 't.used_at as legacy_used_at'])
      .where('t.token_hash', '=', tokenHash)
      .executeTakeFirst();
    return (
      row && {
        session: toSession(row),
        expiresAt: toDate(row.legacy_expires_at),
        usedAt: toDateOrNull(row.legacy_used_at),
      }
    );
  }

  async listLive(userId: string, now: Date): Promise<Session[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .orderBy('created_at', 'desc')
      .execute();
    return rows.map(toSession);
  }

  async revoke(ids: readonly string[], now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .updateTable('sessions')
      .set({ revoked_at: now.toISOString(), revocation_order: this.revocationOrder() })
      .where('id', 'in', ids)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async revokeAllOfUser(userId: string, now: Date, exceptId?: string): Promise<string[]> {
    let query = this.db
      .updateTable('sessions')
      .set({ revoked_at: now.toISOString(), revocation_order: this.revocationOrder() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (exceptId) query = query.where('id', '!=', exceptId);
    const rows = await query.returning('id').execute();
    return rows.map((row) => row.id);
  }

  async revocationsAfter(cursor: RevocationCursor | null, since: Date): Promise<RevocationsRead> {
    // By commit order once there is a cursor (see commit-order.ts); by time only for the first read.
    const after = (at: string) =>
      cursor === null
        ? sql`revoked_at >= ${since.toISOString()}`
        : sql`${sql.ref(`${at}.revocation_order`)} >= cast(${cursor} as bigint)`;
    // One statement, so the mark and the rows come from the same snapshot.
    const { rows } = await sql<{
      mark: string;
      id: string | null;
      revoked_at: Date | string | null;
    }>`
      select m.mark, r.id, r.revoked_at
      from (select ${commitOrderMark(this.db, REVOCATION_ORDER)} as mark) m
      left join (
        select s.id, s.revoked_at from sessions s where ${after('s')}
        union all
        -- A deleted account's sessions are gone; their revocations were kept (see UsersRepository).
        select k.session_id as id, k.revoked_at from session_revocations k where ${after('k')}
      ) r on 1 = 1
    `.execute(this.db);
    const mark = rows[0]?.mark;
    if (mark === undefined) throw new Error('The revocation read answered no mark');
    const revoked = rows.flatMap((row) =>
      row.id === null ? [] : [{ id: row.id, revokedAt: toDate(row.revoked_at ?? since) }],
    );
    return { revoked, cursor: String(mark) };
  }

  async deleteEndedBefore(cutoff: Date, batchSize = PURGE_BATCH_SIZE): Promise<number> {
    const purge = { before: cutoff, batchSize };
    let sessions = 0;
    // One indexed condition per pass (revoked_at, expires_at): each batch finds its rows by index.
    for (const ended of ['revoked_at', 'expires_at'] as const) {
      sessions += await deleteInBatches(this.db, {
        table: 'sessions',
        key: 'id',
        olderThan: ended,
        ...purge,
      });
    }
    await deleteInBatches(this.db, {
      table: 'session_revocations',
      key: 'session_id',
      olderThan: 'revoked_at',
      ...purge,
    });
    // Legacy tokens of live sessions, once expired: spent ones a thief could replay, kept till
    // then so that replaying one still ends its session. (Ended sessions' went with them.)
    await deleteInBatches(this.db, {
      table: 'refresh_tokens',
      key: 'id',
      olderThan: 'expires_at',
      ...purge,
    });
    return sessions;
  }
}

function toSession(row: Selectable<SessionsTable>): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: toDate(row.created_at),
    lastUsedAt: toDate(row.last_used_at),
    expiresAt: toDate(row.expires_at),
    userAgent: row.user_agent,
    ip: row.ip,
    revokedAt: toDateOrNull(row.revoked_at),
    // Sessions started before the column existed were password-only.
    amr: row.amr === null ? PASSWORD_ONLY : (JSON.parse(row.amr) as string[]),
    generation: Number(row.generation),
    tokenHash: row.token_hash,
    reuseWindow:
      row.reuse_window_generation === null || row.reuse_window_started_at === null
        ? null
        : {
            generation: Number(row.reuse_window_generation),
            startedAt: toDate(row.reuse_window_started_at),
          },
  };
}
