import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Database } from '../../database/database.js';
import { toDate, toDateOrNull } from '../../database/schema.js';
import { MfaRepository, type MfaChallenge, type MfaFactor } from '../mfa.repository.js';

/** SQLite and PostgreSQL; each check-and-set is one conditional statement, so instances agree. */
@Injectable()
export class SqlMfaRepository extends MfaRepository {
  constructor(private readonly db: Database) {
    super();
  }

  async findFactor(userId: string): Promise<MfaFactor | undefined> {
    const row = await this.db
      .selectFrom('mfa_factors')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      userId: row.user_id,
      sealedSecret: row.sealed_secret,
      createdAt: toDate(row.created_at),
      enabledAt: toDateOrNull(row.enabled_at),
      lastStep: row.last_step === null ? null : Number(row.last_step),
    };
  }

  async savePending(userId: string, sealedSecret: string, now: Date): Promise<boolean> {
    const result = await this.db
      .insertInto('mfa_factors')
      .values({ user_id: userId, sealed_secret: sealedSecret, created_at: now.toISOString() })
      .onConflict((conflict) =>
        conflict
          .column('user_id')
          .doUpdateSet({ sealed_secret: sealedSecret, created_at: now.toISOString() })
          // An enabled factor is never replaced: turn it off first.
          .where('mfa_factors.enabled_at', 'is', null),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async enable(
    userId: string,
    step: number,
    hashes: readonly string[],
    now: Date,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('mfa_factors')
        .set({ enabled_at: now.toISOString(), last_step: step })
        .where('user_id', '=', userId)
        .where('enabled_at', 'is', null)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      await insertCodes(trx, userId, hashes);
      return true;
    });
  }

  async disable(userId: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      await trx.deleteFrom('mfa_factors').where('user_id', '=', userId).execute();
    });
  }

  async acceptStep(userId: string, step: number): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_factors')
      .set({ last_step: step })
      .where('user_id', '=', userId)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async replaceRecoveryCodes(userId: string, hashes: readonly string[]): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
      await insertCodes(trx, userId, hashes);
    });
  }

  async useRecoveryCode(userId: string, hash: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_recovery_codes')
      .set({ used_at: now.toISOString() })
      .where('user_id', '=', userId)
      .where('code_hash', '=', hash)
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async countEnabled(): Promise<number> {
    const row = await this.db
      .selectFrom('mfa_factors')
      .select(sql<number>`count(*)`.as('count'))
      .where('enabled_at', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(row.count);
  }

  async createChallenge(challenge: Omit<MfaChallenge, 'failures' | 'usedAt'>): Promise<void> {
    await this.db
      .insertInto('mfa_challenges')
      .values({
        token_hash: challenge.tokenHash,
        user_id: challenge.userId,
        expires_at: challenge.expiresAt.toISOString(),
        failures: 0,
        first_factor: challenge.firstFactor,
        idp: challenge.idp,
      })
      .execute();
  }

  async findChallenge(tokenHash: string): Promise<MfaChallenge | undefined> {
    const row = await this.db
      .selectFrom('mfa_challenges')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      tokenHash: row.token_hash,
      userId: row.user_id,
      expiresAt: toDate(row.expires_at),
      failures: Number(row.failures),
      usedAt: toDateOrNull(row.used_at),
      // Challenges from before 0014 followed a password.
      firstFactor: row.first_factor === 'fed' ? 'fed' : 'pwd',
      idp: row.idp,
    };
  }

  async takeChallengeAttempt(
    tokenHash: string,
    now: Date,
    maxAttempts: number,
  ): Promise<string | undefined> {
    // One statement counts and refuses: concurrent attempts cannot all read the same count.
    const row = await this.db
      .updateTable('mfa_challenges')
      .set((eb) => ({ failures: eb('failures', '+', 1) }))
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .where('failures', '<', maxAttempts)
      .returning('user_id')
      .executeTakeFirst();
    return row?.user_id;
  }

  async spendChallenge(tokenHash: string, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable('mfa_challenges')
      .set({ used_at: now.toISOString() })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now.toISOString())
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async deleteExpiredChallenges(before: Date): Promise<void> {
    await this.db
      .deleteFrom('mfa_challenges')
      .where('expires_at', '<', before.toISOString())
      .execute();
  }

  async endChallengesOf(userId: string): Promise<void> {
    await this.db.deleteFrom('mfa_challenges').where('user_id', '=', userId).execute();
  }
}

async function insertCodes(
  trx: Pick<Database, 'insertInto'>,
  userId: string,
  hashes: readonly string[],
): Promise<void> {
  if (hashes.length === 0) return;
  await trx
    .insertInto('mfa_recovery_codes')
    .values(hashes.map((hash) => ({ id: randomUUID(), user_id: userId, code_hash: hash })))
    .execute();
}
