/**
 * Where generated keys other than the signing keys are kept: the database (shared by every
 * instance on it), or DATA_DIR with the memory store.
 */
export abstract class ServerSecretStore {
  /**
   * The material kept under `name`; when there is none yet, `candidate` is stored and answered.
   * Atomic: instances starting together on an empty store all answer the one value that won.
   */
  abstract getOrCreate(name: string, candidate: string): Promise<string>;
}
