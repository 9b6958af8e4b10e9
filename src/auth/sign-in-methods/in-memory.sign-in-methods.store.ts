import type { IdentitiesRepository } from '../../identities/identities.repository.js';
import type { PasskeysRepository } from '../../passkeys/passkeys.repository.js';
import { hasPassword } from '../../users/user.js';
import type { UsersService } from '../../users/users.service.js';
import {
  decideRemovePasskey,
  decideUnlink,
  SignInMethodsStore,
  type RemovePasskeyOutcome,
  type SignsIn,
  type UnlinkOutcome,
  type WaysIn,
} from './sign-in-methods.store.js';

/**
 * DATABASE_URL=memory: one process, but the read, the count and the delete span awaits, so each
 * account's removals take turns on a per-account queue (the memory store's "row lock").
 */
export class InMemorySignInMethodsStore extends SignInMethodsStore {
  /** The tail of each account's queue; removed when the queue empties. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly users: UsersService,
    private readonly identities: IdentitiesRepository,
    private readonly passkeys: PasskeysRepository,
  ) {
    super();
  }

  unlinkIdentity(userId: string, identityId: string, signsIn: SignsIn): Promise<UnlinkOutcome> {
    return this.inTurn(userId, async () => {
      const ways = await this.waysIn(userId);
      if (!ways) return { outcome: 'not_found' };
      const decision = decideUnlink(ways, identityId, signsIn);
      if (decision.outcome === 'unlinked') await this.identities.unlink(userId, identityId);
      return decision;
    });
  }

  removePasskey(
    userId: string,
    passkeyId: string,
    signsIn: SignsIn,
  ): Promise<RemovePasskeyOutcome> {
    return this.inTurn(userId, async () => {
      const ways = await this.waysIn(userId);
      if (!ways) return { outcome: 'not_found' };
      const decision = decideRemovePasskey(ways, passkeyId, signsIn);
      if (decision.outcome === 'removed') await this.passkeys.remove(userId, passkeyId);
      return decision;
    });
  }

  private async waysIn(userId: string): Promise<WaysIn | undefined> {
    const user = await this.users.findById(userId);
    if (!user) return undefined;
    return {
      hasPassword: hasPassword(user),
      identities: await this.identities.listForUser(userId),
      passkeys: await this.passkeys.listForUser(userId),
    };
  }

  private inTurn<T>(userId: string, step: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(userId) ?? Promise.resolve();
    const result = previous.then(step, step);
    const tail = result.catch(() => undefined);
    this.queues.set(userId, tail);
    void tail.then(() => {
      if (this.queues.get(userId) === tail) this.queues.delete(userId);
    });
    return result;
  }
}
