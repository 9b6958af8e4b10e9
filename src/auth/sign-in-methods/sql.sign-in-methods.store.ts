import { sql, type Transaction } from 'kysely';
import type { Database } from '../../database/database.js';
import type { DatabaseSchema } from '../../database/schema.js';
import { SqlIdentitiesRepository } from '../../identities/repositories/sql.identities.repository.js';
import { SqlPasskeysRepository } from '../../passkeys/repositories/sql.passkeys.repository.js';
import {
  decideRemovePasskey,
  decideUnlink,
  SignInMethodsStore,
  type RemovePasskeyOutcome,
  type SignsIn,
  type UnlinkOutcome,
  type WaysIn,
} from './sign-in-methods.store.js';

/** The repositories on the transaction: the count and the delete see and hold the same rows. */
interface Locked {
  readonly ways: WaysIn;
  readonly identities: SqlIdentitiesRepository;
  readonly passkeys: SqlPasskeysRepository;
}

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

  unlinkIdentity(userId: string, identityId: string, signsIn: SignsIn): Promise<UnlinkOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const locked = await lockWaysIn(trx, userId);
      if (!locked) return { outcome: 'not_found' };
      const decision = decideUnlink(locked.ways, identityId, signsIn);
      if (decision.outcome === 'unlinked') await locked.identities.unlink(userId, identityId);
      return decision;
    });
  }

  removePasskey(
    userId: string,
    passkeyId: string,
    signsIn: SignsIn,
  ): Promise<RemovePasskeyOutcome> {
    return this.db.transaction().execute(async (trx) => {
      const locked = await lockWaysIn(trx, userId);
      if (!locked) return { outcome: 'not_found' };
      const decision = decideRemovePasskey(locked.ways, passkeyId, signsIn);
      if (decision.outcome === 'removed') await locked.passkeys.remove(userId, passkeyId);
      return decision;
    });
  }
}

async function lockWaysIn(
  trx: Transaction<DatabaseSchema>,
  userId: string,
): Promise<Locked | undefined> {
  const user = await trx
    .updateTable('users')
    .set({ password_hash: sql<string | null>`password_hash` })
    .where('id', '=', userId)
    .returning('password_hash')
    .executeTakeFirst();
  if (!user) return undefined;
  const identities = new SqlIdentitiesRepository(trx);
  const passkeys = new SqlPasskeysRepository(trx);
  return {
    ways: {
      hasPassword: user.password_hash !== null,
      identities: await identities.listForUser(userId),
      passkeys: await passkeys.listForUser(userId),
    },
    identities,
    passkeys,
  };
}
