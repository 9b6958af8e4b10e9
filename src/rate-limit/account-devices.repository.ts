/** What an account's device cookies are checked against; a new account's is all zero. */
export interface AccountDevices {
  /** Advanced whenever every session of the account ends: older cookies stop counting. */
  readonly generation: number;
  /** Device cookies minted so far; each has its number, the last DEVICES_PER_ACCOUNT count. */
  readonly minted: number;
}

/** Per-account device-cookie state (see DeviceCookies); the injection token of the store. */
export abstract class AccountDevicesRepository {
  abstract find(userId: string): Promise<AccountDevices>;

  /** Counts one more device cookie, atomically: answers the state with it counted. */
  abstract mint(userId: string): Promise<AccountDevices>;

  /** Advances the generation: every device cookie minted before stops counting. */
  abstract advance(userId: string): Promise<void>;
}
