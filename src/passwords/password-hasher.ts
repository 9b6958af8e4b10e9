/** Hashes and checks passwords; the implementation decides the algorithm and where the work runs. */
export abstract class PasswordHasher {
  abstract hash(password: string): Promise<string>;

  /**
   * Checks a password against a stored hash. With no hash (an unknown user, or an account without
   * a password) it still does the full work against a dummy hash and answers false, so every case
   * takes the same time.
   */
  abstract verify(password: string, hash: string | null | undefined): Promise<boolean>;

  /** True when the hash was made with other parameters than today's (lower cost, older format). */
  abstract needsRehash(hash: string): boolean;
}
