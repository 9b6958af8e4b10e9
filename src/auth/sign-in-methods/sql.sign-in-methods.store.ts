import { sql } from 'kysely';
import type { Database } from '../../database/database.js';
import type { Identity } from '../../identities/identity.js';
import { SqlIdentitiesRepository } from '../../identities/repositories/sql.identities.repository.js';
import { decideUnlink, SignInMethodsStore, type UnlinkOutcome } from './sign-in-methods.store.js';

/**
 * SQLite or PostgreSQL: one transaction that starts by writing the user row (setting its password
 * hash to itself) and reads whether it has a password in the same statement. On PostgreSQL that
 * UPDATE holds the row's FOR NO KEY UPDATE lock until commit, so a concurrent removal waits and
 * then counts what this one left (READ COMMITTED reads the committed rows afresh); it does not
 * block sign-ins, whose session rows only take a key-share lock on the user. On SQLite a
 * transaction whose first statement writes holds the one write lock from its start (what BEGIN
 * IMMEDIATE gives), so no other writer, in this process or another, reads between our count and
 * our delete.
 */
export class SqlSignInMethodsStore extends SignInMethodsStore {
  constructor(private readonly db: Database) {
    super();
  }

  unlinkIdentity(
    userId: string,
    identityId: string,
    signsIn: (identity: Identity) => boolean,
  ): Promise<UnlinkOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const user = await trx
        .updateTable('users')
        .set({ password_hash: sql<string | null>`password_hash` })
        .where('id', '=', userId)
        .returning('password_hash')
        .executeTakeFirst();
      if (!user) return { outcome: 'not_found' };
      // The repository on the transaction: the count and the delete see and hold the same rows.
      const identities = new SqlIdentitiesRepository(trx);
      const decision = decideUnlink(
        {
          hasPassword: user.password_hash !== null,
          identities: await identities.listForUser(userId),
        },
        identityId,
        signsIn,
      );
      if (decision.outcome === 'unlinked') await identities.unlink(userId, identityId);
      return decision;
    });
  }
}
