import type { WebauthnChallenge } from './webauthn-challenge.js';

/**
 * Challenges of passkey ceremonies. Every take deletes the row in one statement whatever it finds,
 * so of instances sharing the store exactly one gets a challenge, once.
 */
export abstract class WebauthnChallengesRepository {
  abstract create(challenge: WebauthnChallenge): Promise<void>;

  /** Takes a sign-in challenge by its id; null when there is none, or it expired at `now`. */
  abstract takeAuthentication(id: string, now: Date): Promise<WebauthnChallenge | null>;

  /**
   * Takes a registration challenge of the account by its value; null when the account has none
   * such, or it expired at `now`.
   */
  abstract takeRegistration(
    userId: string,
    challenge: string,
    now: Date,
  ): Promise<WebauthnChallenge | null>;

  /** Deletes challenges that expired before `before`; answers how many went. */
  abstract purgeExpired(before: Date): Promise<number>;
}
