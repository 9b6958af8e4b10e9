import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Selectable } from 'kysely';
import { Database } from '../../../database/database.js';
import { toDate, toDateOrNull, type SessionsTable } from '../../../database/schema.js';
import {
  newSession,
  PASSWORD_ONLY,
  type NewRefreshToken,
  type RefreshTokenRecord,
  type Session,
} from '../session.js';
import type { ClientInfo } from '../../../common/decorators/client-info.decorator.js';
import { SessionsRepository, type RotationOutcome } from '../sessions.repository.js';

@Injectable()
export class SqlSessionsRepository extends SessionsRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async create(
    userId: string,
    client: ClientInfo,
    first: NewRefreshToken,
    now: Date,
    amr?: readonly string[],
  ): Promise<Session> {
    const session = newSession(userId, client, first.expiresAt, now, amr);
    await this.db.transaction().execute(async (trx) => {
      await trx
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
        })
        .execute();
      await insertToken(trx, session.id, first, now);
    });
    return session;
  }

  async findById(id: string): Promise<Session | undefined> {
    const row = await this.db
      .selectFrom('sessions')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toSession(row);
  }

  async findByTokenHash(tokenHash: string) {
    const row = await this.db
      .selectFrom('refresh_tokens as t')
      .innerJoin('sessions as s', 's.id', 't.session_id')
      .selectAll('s')
      .select([
        't.id as token_id',
        't.token_hash',
        't.expires_at as token_expires_at',
        't.used_at as token_used_at',
      ])
      .where('t.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const token: RefreshTokenRecord = {
      id: row.token_id,
      sessionId: row.id,
      tokenHash: row.token_hash,
      expiresAt: toDate(row.token_expires_at),
      usedAt: toDateOrNull(row.token_used_at),
    };
    return { token, session: toSession(row) };
  }

  rotate(
    tokenId: string,
    successor: NewRefreshToken,
    client: ClientInfo,
    now: Date,
  ): Promise<RotationOutcome> {
    return this.db.transaction().execute(async (trx) => {
      // The conditional update is the race guard: only one caller can spend the token.
      const spent = await trx
        .updateTable('refresh_tokens')
        .set({ used_at: now.toISOString() })
        .where('id', '=', tokenId)
        .where('used_at', 'is', null)
        .returning('session_id')
        .executeTakeFirst();
      if (!spent) return 'reused' as const;
      await insertToken(trx, spent.session_id, successor, now);
      await trx
        .updateTable('sessions')
        .set({
          last_used_at: now.toISOString(),
          expires_at: successor.expiresAt.toISOString(),
          ip: client.ip,
          user_agent: client.userAgent,
        })
        .where('id', '=', spent.session_id)
        .execute();
      return 'rotated' as const;
    });
  }

  async currentToken(sessionId: string): Promise<RefreshTokenRecord | undefined> {
    const row = await this.db
      .selectFrom('refresh_tokens')
      .select(['id', 'session_id', 'token_hash', 'expires_at', 'used_at'])
      .where('session_id', '=', sessionId)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return (
      row && {
        id: row.id,
        sessionId: row.session_id,
        tokenHash: row.token_hash,
        expiresAt: toDate(row.expires_at),
        usedAt: toDateOrNull(row.used_at),
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
      .set({ revoked_at: now.toISOString() })
      .where('id', 'in', ids)
      .where('revoked_at', 'is', null)
      .returning('id')
      .execute();
    return rows.map((row) => row.id);
  }

  async revokeAllOfUser(userId: string, now: Date, exceptId?: string): Promise<string[]> {
    let query = this.db
      .updateTable('sessions')
      .set({ revoked_at: now.toISOString() })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null);
    if (exceptId) query = query.where('id', '!=', exceptId);
    const rows = await query.returning('id').execute();
    return rows.map((row) => row.id);
  }

  async revokedSince(since: Date): Promise<{ id: string; revokedAt: Date }[]> {
    const rows = await this.db
      .selectFrom('sessions')
      .select(['id', 'revoked_at'])
      .where('revoked_at', '>=', since.toISOString())
      // A deleted account's sessions are gone; their revocations were kept (see UsersRepository).
      .unionAll(
        this.db
          .selectFrom('session_revocations')
          .select(['session_id as id', 'revoked_at'])
          .where('revoked_at', '>=', since.toISOString()),
      )
      .execute();
    return rows.map((row) => ({ id: row.id, revokedAt: toDate(row.revoked_at ?? since) }));
  }
}

async function insertToken(
  trx: Pick<Database, 'insertInto'>,
  sessionId: string,
  token: NewRefreshToken,
  now: Date,
): Promise<void> {
  await trx
    .insertInto('refresh_tokens')
    .values({
      id: randomUUID(),
      session_id: sessionId,
      token_hash: token.tokenHash,
      created_at: now.toISOString(),
      expires_at: token.expiresAt.toISOString(),
    })
    .execute();
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
  };
}
