import { KnownAddressesRepository } from '../known-addresses.repository.js';

export class InMemoryKnownAddressesRepository extends KnownAddressesRepository {
  /** username key → address → last successful login. */
  private readonly byAccount = new Map<string, Map<string, Date>>();

  isKnown(usernameKey: string, ip: string, since: Date): Promise<boolean> {
    const at = this.byAccount.get(usernameKey)?.get(ip);
    return Promise.resolve(at !== undefined && at >= since);
  }

  remember(
    login: { usernameKey: string; userId: string; ip: string },
    at: Date,
    forgetBefore: Date,
  ): Promise<void> {
    const addresses = this.byAccount.get(login.usernameKey) ?? new Map<string, Date>();
    addresses.set(login.ip, at);
    for (const [ip, last] of addresses) if (last < forgetBefore) addresses.delete(ip);
    this.byAccount.set(login.usernameKey, addresses);
    return Promise.resolve();
  }
}
