import type { JsonWebKey } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import type { KeyRingStore } from './key-ring.store.js';
import { generateKey, keyFromPrivateKey, keyFromSecret, type SigningKey } from './signing-key.js';

/** A public key as /.well-known/jwks.json publishes it (RFC 7517). */
export type PublishedJwk = JsonWebKey & { kid: string; alg: string; use: 'sig' };

/** Re-reading the ring for an unknown kid happens at most this often (a forged kid is cheap). */
const RELOAD_INTERVAL_MS = 5_000;

/**
 * The keys tokens are signed and verified with, held as KeyObjects (a string secret makes
 * jsonwebtoken try to parse it as a PEM key on every verification: ~50× slower). The newest key of
 * the configured algorithm signs; every key in the ring verifies the tokens that name its `kid`.
 */
export class SigningKeys {
  private byKid: ReadonlyMap<string, SigningKey> = new Map();
  private signing: SigningKey;
  private lastReload = Date.now();

  private constructor(
    keys: readonly SigningKey[],
    private readonly config: AppConfig,
    private readonly store: KeyRingStore | undefined,
  ) {
    this.use(keys);
  }

  /**
   * JWT_SECRET or JWT_PRIVATE_KEY when set; otherwise the generated ring in `store` (the database,
   * or DATA_DIR with the memory store), given a key of JWT_ALGORITHM on first start.
   */
  static async load(config: AppConfig, store: KeyRingStore): Promise<SigningKeys> {
    const { algorithm, secret, privateKey } = config.jwt;
    if (secret) return new SigningKeys([keyFromSecret(secret)], config, undefined);
    if (privateKey && algorithm !== 'HS256') {
      return new SigningKeys([keyFromPrivateKey(algorithm, privateKey)], config, undefined);
    }
    let keys = await store.read();
    if (!keys.some((key) => key.alg === algorithm)) {
      // Instances starting together on an empty ring add one key between them, and all read it back.
      await store.addFirst(generateKey(algorithm));
      keys = await store.read();
    }
    return new SigningKeys(keys, config, store);
  }

  /** The key new tokens are signed with. */
  get current(): SigningKey {
    return this.signing;
  }

  /** The key a token's `kid` names, or undefined: an unknown kid is refused. */
  find(kid: string): SigningKey | undefined {
    return this.byKid.get(kid);
  }

  /**
   * Like find, but on a miss re-reads the ring (at most every 5 s): another instance may already
   * sign with a key added by `npm run keys:rotate` since this one started.
   */
  async findOrReload(kid: string): Promise<SigningKey | undefined> {
    const key = this.byKid.get(kid);
    if (key || !this.store || Date.now() - this.lastReload < RELOAD_INTERVAL_MS) return key;
    this.lastReload = Date.now();
    this.use(await this.store.read(), this.signing);
    return this.byKid.get(kid);
  }

  /** The JWK Set of the public keys; empty with HS256, whose secret is never published. */
  jwks(): { keys: PublishedJwk[] } {
    const keys = [...this.byKid.values()]
      .filter((key) => key.publicJwk !== undefined)
      .map((key) => ({ ...key.publicJwk, kid: key.kid, alg: key.alg, use: 'sig' as const }));
    return { keys };
  }

  private use(keys: readonly SigningKey[], keepSigning?: SigningKey): void {
    const { algorithm } = this.config.jwt;
    const signing = keepSigning ?? keys.filter((key) => key.alg === algorithm).at(-1);
    if (!signing) throw new Error(`no ${algorithm} signing key`);
    this.byKid = new Map([...keys, signing].map((key) => [key.kid, key]));
    this.signing = signing;
  }
}
