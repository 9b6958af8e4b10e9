/**
 * The addresses each account logged in from successfully, with when it last did: a client at one
 * of them (within 30 days) is known to the account. Keyed by the normalised username tried, so it
 * is asked the same question whether or not the account exists. The injection token of the store.
 */
export abstract class KnownAddressesRepository {
  /** Whether the account logged in from `ip` at or after `since`. */
  abstract isKnown(usernameKey: string, ip: string, since: Date): Promise<boolean>;

  /**
   * Records a successful login of the account from `ip` at `at`, and forgets the account's
   * addresses last used before `forgetBefore`.
   */
  abstract remember(
    login: { usernameKey: string; userId: string; ip: string },
    at: Date,
    forgetBefore: Date,
  ): Promise<void>;
}
