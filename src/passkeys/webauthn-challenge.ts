/** Which ceremony a challenge is for. */
export type ChallengePurpose = 'registration' | 'authentication';

export const CHALLENGE_PURPOSES: readonly ChallengePurpose[] = ['registration', 'authentication'];

/**
 * A WebAuthn challenge between the options we gave a browser and the answer it sends back: single
 * use, short-lived, and where every instance sees it.
 */
export interface WebauthnChallenge {
  /** A random id: what a sign-in's answer names it by (`challenge_id`). */
  readonly id: string;
  /** The random challenge itself, base64url, as the options carried it. */
  readonly challenge: string;
  readonly purpose: ChallengePurpose;
  /** The account registering; null for a sign-in. */
  readonly userId: string | null;
  readonly expiresAt: Date;
}
