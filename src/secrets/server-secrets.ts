import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { AppConfig } from '../config/app-config.js';
import type { Database } from '../database/database.js';
import { FileServerSecretStore } from './file.server-secret.store.js';
import type { ServerSecretStore } from './server-secret.store.js';
import { SqlServerSecretStore } from './sql.server-secret.store.js';

/** 256-bit keys for HMAC-SHA256: as long as its output (RFC 2104 §3). */
const GENERATED_KEY_BYTES = 32;

/**
 * Our keys besides the signing keys, each from the environment when set (REFRESH_TOKEN_SECRET,
 * DEVICE_COOKIE_SECRET), otherwise generated on first start and kept with the data, so every
 * instance on one database uses the same one. Held as KeyObjects and never logged. Also the
 * injection token.
 */
export class ServerSecrets {
  private constructor(
    /** Derives each refresh token from its parent (HMAC-SHA256). */
    readonly refreshToken: KeyObject,
    /** Signs device cookies (HMAC-SHA256). */
    readonly deviceCookie: KeyObject,
  ) {}

  static async load(config: AppConfig, store: ServerSecretStore): Promise<ServerSecrets> {
    const [refreshToken, deviceCookie] = await Promise.all([
      config.secrets.refreshToken ?? generatedKey(store, 'refresh-token'),
      config.secrets.deviceCookie ?? generatedKey(store, 'device-cookie'),
    ]);
    return new ServerSecrets(refreshToken, deviceCookie);
  }
}

async function generatedKey(store: ServerSecretStore, name: string): Promise<KeyObject> {
  const material = await store.getOrCreate(
    name,
    randomBytes(GENERATED_KEY_BYTES).toString('base64url'),
  );
  return createSecretKey(Buffer.from(material, 'base64url'));
}

/** Generated secrets live in the database when there is one (shared by instances), else in DATA_DIR. */
export function serverSecretStore(config: AppConfig, db: Database | undefined): ServerSecretStore {
  return db ? new SqlServerSecretStore(db) : new FileServerSecretStore(config.dataDir);
}
