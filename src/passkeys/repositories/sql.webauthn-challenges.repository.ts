import { Injectable } from '@nestjs/common';
import type { Kysely, Selectable } from 'kysely';
import { deleteInBatches } from '../../database/batched-delete.js';
import {
  toDate,
  type DatabaseSchema,
  type WebauthnChallengesTable,
} from '../../database/schema.js';
import { CHALLENGE_PURPOSES, type WebauthnChallenge } from '../webauthn-challenge.js';
import { WebauthnChallengesRepository } from '../webauthn-challenges.repository.js';

/**
 * Challenges in SQLite or PostgreSQL: each take is one DELETE … RETURNING, so on PostgreSQL a
 * concurrent take of the same row waits and then finds it gone; SQLite runs one writer at a time.
 */
@Injectable()
export class SqlWebauthnChallengesRepository extends WebauthnChallengesRepository {
  constructor(private readonly db: Kysely<DatabaseSchema>) {
    super();
  }

  async create(challenge: WebauthnChallenge): Promise<void> {
    await this.db
      .insertInto('webauthn_challenges')
      .values({
        id: challenge.id,
        challenge: challenge.challenge,
        purpose: challenge.purpose,
        user_id: challenge.userId,
        expires_at: challenge.expiresAt.toISOString(),
      })
      .execute();
  }

  async takeAuthentication(id: string, now: Date): Promise<WebauthnChallenge | null> {
    const row = await this.db
      .deleteFrom('webauthn_challenges')
      .where('id', '=', id)
      .where('purpose', '=', 'authentication')
      .returningAll()
      .executeTakeFirst();
    return live(row, now);
  }

  async takeRegistration(
    userId: string,
    challenge: string,
    now: Date,
  ): Promise<WebauthnChallenge | null> {
    const row = await this.db
      .deleteFrom('webauthn_challenges')
      .where('challenge', '=', challenge)
      .where('purpose', '=', 'registration')
      .where('user_id', '=', userId)
      .returningAll()
      .executeTakeFirst();
    return live(row, now);
  }

  purgeExpired(before: Date): Promise<number> {
    return deleteInBatches(this.db, {
      table: 'webauthn_challenges',
      key: 'id',
      olderThan: 'expires_at',
      before,
    });
  }
}

function live(
  row: Selectable<WebauthnChallengesTable> | undefined,
  now: Date,
): WebauthnChallenge | null {
  if (!row) return null;
  const purpose = CHALLENGE_PURPOSES.find((known) => known === row.purpose);
  if (!purpose) throw new Error(`Unknown challenge purpose "${row.purpose}"`);
  const challenge: WebauthnChallenge = {
    id: row.id,
    challenge: row.challenge,
    purpose,
    userId: row.user_id,
    expiresAt: toDate(row.expires_at),
  };
  return challenge.expiresAt > now ? challenge : null;
}
