import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  randomBytes,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';
import type { JwtAlgorithm } from '../config/tokens-config.js';

/** One key of the ring: what signs (secret or private key) and what verifies (secret or public). */
export interface SigningKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  readonly signWith: KeyObject;
  readonly verifyWith: KeyObject;
  readonly createdAt: Date;
  /** The public JWK for RS256/ES256 keys; HMAC keys are never published. */
  readonly publicJwk: JsonWebKey | undefined;
}

/** How a key is kept on disk (DATA_DIR/signing-keys.json). */
export interface StoredKey {
  readonly kid: string;
  readonly alg: JwtAlgorithm;
  readonly created_at: string;
  /** base64url secret (HS256) or PKCS#8 PEM private key (RS256, ES256). */
  readonly material: string;
}

export function keyFromSecret(secret: KeyObject, createdAt = new Date()): SigningKey {
  // A kid from a hash of the secret: stable across restarts, reveals nothing usable.
  const kid = `hs-${createHash('sha256').update(secret.export()).digest('base64url').slice(0, 16)}`;
  return {
    kid,
    alg: 'HS256',
    signWith: secret,
    verifyWith: secret,
    createdAt,
    publicJwk: undefined,
  };
}

export function keyFromPrivateKey(
  alg: Exclude<JwtAlgorithm, 'HS256'>,
  privateKey: KeyObject,
  createdAt = new Date(),
): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const publicJwk = publicKey.export({ format: 'jwk' });
  return {
    kid: jwkThumbprint(publicJwk),
    alg,
    signWith: privateKey,
    verifyWith: publicKey,
    createdAt,
    publicJwk,
  };
}

/** A fresh key for the algorithm: 256 random bits, RSA 2048, or EC P-256. */
export function generateKey(alg: JwtAlgorithm, createdAt = new Date()): SigningKey {
  if (alg === 'HS256') return keyFromSecret(createSecretKey(randomBytes(32)), createdAt);
  const { privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return keyFromPrivateKey(alg, privateKey, createdAt);
}

export function toStoredKey(key: SigningKey): StoredKey {
  const material =
    key.alg === 'HS256'
      ? key.signWith.export().toString('base64url')
      : key.signWith.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { kid: key.kid, alg: key.alg, created_at: key.createdAt.toISOString(), material };
}

export function fromStoredKey(stored: StoredKey): SigningKey {
  const createdAt = new Date(stored.created_at);
  const key =
    stored.alg === 'HS256'
      ? keyFromSecret(createSecretKey(Buffer.from(stored.material, 'base64url')), createdAt)
      : keyFromPrivateKey(stored.alg, createPrivateKey(stored.material), createdAt);
  if (key.kid !== stored.kid)
    throw new Error(`signing key ${stored.kid} does not match its material`);
  return key;
}

/** RFC 7638 JWK thumbprint: SHA-256 over the required members in lexicographic order. */
function jwkThumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url');
}
