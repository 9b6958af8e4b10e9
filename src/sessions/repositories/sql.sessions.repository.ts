import { Injectable } from '@nestjs/common';
import { sql, type QueryResult, type Selectable } from 'kysely';
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
import { isPostgres } from '../../database/dialect.js';
import { normalizeRoles } from '../../config/roles.js';
import {
  newSession,
  PASSWORD_ONLY,
  type FirstRefreshToken,
  type LegacyRefreshToken,
  type RotatedSession,
  type Session,
  type SignInOrigin,
} from '../session.js';
import type { ClientInfo } from '../../common/decorators/client-info.decorator.js';
import {
  SessionsRepository,
  type CurrentRefreshToken,
  type RevocationCursor,
  type RevocationsRead,
} from '../sessions.repository.js';

/** id, spent generation, next generation and hash, reuse cutoff, now, expiry, client. */
type RotateValues = [
  id: string,
  generation: number,
  next: number,
  nextHash: string,
  reuseCutoff: string,
  now: string,
  expiresAt: string,
  ip: string | null,
  userAgent: string | null,
];

/** A rotated row, with its holder read by scalar subqueries of the same statement. */
type RotatedRow = Selectable<SessionsTable> & {
  holder_username: string | null;
  holder_email_verified_at: Date | string | null;
  holder_disabled_at: Date | string | null;
  holder_roles: string | null;
};

@Injectable()
export class SqlSessionsRepository extends SessionsRepository {
  /** What every refresh runs, compiled once (see preparedQuery). */
  private readonly hot: {
    readonly byId: (id: string) => Promise<QueryResult<Selectable<SessionsTable>>>;
    readonly rotate: (
      spentHash: string,
      ...values: RotateValues
    ) => Promise<QueryResult<RotatedRow>>;
    /** A session whose current token is still a legacy one (token_hash null): the rare path. */
    readonly rotateLegacy: (...values: RotateValues) => Promise<QueryResult<RotatedRow>>;
  };

  constructor(private readonly db: Database) {
    super();
    const rotation = (values: RotateValues) => {
      const [id, generation, next, nextHash, cutoff, now, expires, ip, ua] = values;
      // SET reads the row as it was: the window from the old one (see SessionsRepository).
      const windowKept = sql`reuse_window_started_at >= ${cutoff}`;
      const previousWithin = sql`generation > 0 and last_used_at >= ${cutoff}`;
      const joinedRoles = isPostgres(db)
        ? sql<string | null>`string_agg(role, ' ')`
        : sql<string | null>`group_concat(role, ' ')`;
      return (
        db
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
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now)
          .returningAll()
          // The holder in the same statement: one round trip to PostgreSQL. SQLite's RETURNING
          // cannot name a joined table, so each column is a scalar subquery (a primary-key lookup).
          .returning((eb) => {
            const holder = () =>
              eb.selectFrom('users').whereRef('users.id', '=', 'sessions.user_id');
            return [
              holder().select('users.username').as('holder_username'),
              holder().select('users.email_verified_at').as('holder_email_verified_at'),
              holder().select('users.disabled_at').as('holder_disabled_at'),
              eb
                .selectFrom('user_roles')
                .select(joinedRoles.as('roles'))
                .whereRef('user_roles.user_id', '=', 'sessions.user_id')
                .as('holder_roles'),
            ];
          })
      );
    };
    this.hot = {
      byId: preparedQuery(db, 1, (id: string) =>
        db.selectFrom('sessions').selectAll().where('id', '=', id),
      ),
      rotate: preparedQuery(db, 10, (spentHash: string, ...values: RotateValues) =>
        rotation(values).where('token_hash', '=', spentHash),
      ),
      rotateLegacy: preparedQuery(db, 9, (...values: RotateValues) =>
        rotation(values).where('token_hash', 'is', null),
      ),
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
    origin?: SignInOrigin,
  ): Promise<Session> {
    const session = newSession(userId, client, first, now, amr, origin);
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
        auth_time: session.authTime?.toISOString() ?? null,
        idp: session.idp,
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

  async rotate(
    sessionId: string,
    spent: CurrentRefreshToken,
    successor: { readonly tokenHash: string; readonly expiresAt: Date },
    reuseCutoff: Date,
    client: ClientInfo,
    now: Date,
  ): Promise<RotatedSession | undefined> {
    const values: RotateValues = [
      sessionId,
      spent.generation,
      spent.generation + 1,
      successor.tokenHash,
      reuseCutoff.toISOString(),
      now.toISOString(),
      successor.expiresAt.toISOString(),
      client.ip,
      client.userAgent,
    ];
    const { rows } =
      spent.tokenHash === null
        ? await this.hot.rotateLegacy(...values)
        : await this.hot.rotate(spent.tokenHash, ...values);
    const row = rows[0];
    if (!row) return undefined;
    const { holder_username, holder_email_verified_at, holder_disabled_at, holder_roles, ...rest } =
      row;
    return {
      session: toSession(rest),
      holder:
        holder_username === null
          ? null
          : {
              id: rest.user_id,
              username: holder_username,
              emailVerifiedAt: toDateOrNull(holder_email_verified_at),
              disabledAt: toDateOrNull(holder_disabled_at),
              roles: normalizeRoles(holder_roles ? holder_roles.split(' ') : []),
            },
    };
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
    authTime: toDateOrNull(row.auth_time),
    idp: row.idp,
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
