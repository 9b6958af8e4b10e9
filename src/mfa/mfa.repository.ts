/** A user's TOTP factor: pending until its first code is confirmed, then enabled. */
export interface MfaFactor {
  readonly userId: string;
  /** The base32 secret sealed with the MFA encryption key (never stored in the clear). */
  readonly sealedSecret: string;
  readonly createdAt: Date;
  readonly enabledAt: Date | null;
  /** The last time step accepted, so that a code is never accepted twice (RFC 6238 §5.2). */
  readonly lastStep: number | null;
}

/** The second step of a login: issued after the right password, for five minutes. */
export interface MfaChallenge {
  /** SHA-256 of the opaque mfa_token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly userId: string;
  readonly expiresAt: Date;
  /** Codes checked against it (a right one spends it, so on a live challenge all were wrong). */
  readonly failures: number;
  readonly usedAt: Date | null;
  /** The login's first factor: a password, or a provider's sign-in (`fed`). */
  readonly firstFactor: FirstFactor;
  /** The provider of a `fed` first factor. */
  readonly idp: string | null;
}

export type FirstFactor = 'pwd' | 'fed';

/** TOTP factors, recovery codes and login challenges; the injection token of the store. */
export abstract class MfaRepository {
  abstract findFactor(userId: string): Promise<MfaFactor | undefined>;

  /** Stores a new pending secret, replacing a pending one; false (nothing changed) while enabled. */
  abstract savePending(userId: string, sealedSecret: string, now: Date): Promise<boolean>;

  /**
   * Turns the pending factor on, remembering the step its confirming code used, with these
   * recovery codes; false when there is no pending factor (already on, or none).
   */
  abstract enable(
    userId: string,
    step: number,
    recoveryCodeHashes: readonly string[],
    now: Date,
  ): Promise<boolean>;

  /** Removes the factor and its recovery codes. */
  abstract disable(userId: string): Promise<void>;

  /** Accepts `step` only if it is later than the last accepted one, atomically across instances. */
  abstract acceptStep(userId: string, step: number): Promise<boolean>;

  abstract replaceRecoveryCodes(userId: string, hashes: readonly string[]): Promise<void>;

  /** Spends an unused recovery code of the user, atomically; false if none matches. */
  abstract useRecoveryCode(userId: string, hash: string, now: Date): Promise<boolean>;

  /** How many users have MFA on (production refuses to start without the key if any do). */
  abstract countEnabled(): Promise<number>;

  abstract createChallenge(challenge: Omit<MfaChallenge, 'failures' | 'usedAt'>): Promise<void>;

  abstract findChallenge(tokenHash: string): Promise<MfaChallenge | undefined>;

  /**
   * Takes an attempt at a live challenge before its code is checked, in one conditional step that
   * both counts and refuses: answers the challenge's user, or undefined when it is unknown, used,
   * expired at `now`, or already had `maxAttempts`. Concurrent calls never let more through.
   */
  abstract takeChallengeAttempt(
    tokenHash: string,
    now: Date,
    maxAttempts: number,
  ): Promise<string | undefined>;

  /** Spends a live challenge once, atomically; false if it was already used or has expired. */
  abstract spendChallenge(tokenHash: string, now: Date): Promise<boolean>;

  /** Deletes challenges that expired before `before`. */
  abstract deleteExpiredChallenges(before: Date): Promise<void>;

  /** Ends every pending challenge of the user (what ends the account's sessions ends them too). */
  abstract endChallengesOf(userId: string): Promise<void>;
}
