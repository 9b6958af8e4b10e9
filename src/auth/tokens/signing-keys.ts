import { createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppConfig } from '../../config/app-config.js';

export const SECRET_FILE_NAME = 'jwt-secret';
const GENERATED_SECRET_BYTES = 32;

/**
 * The keys access tokens are signed and verified with, held as KeyObjects (a string secret makes
 * jsonwebtoken try to parse it as a PEM key on every verification: ~50× slower).
 */
export class SigningKeys {
  readonly algorithm = 'HS256' as const;

  private constructor(readonly secret: KeyObject) {}

  /** JWT_SECRET when set; otherwise a 256-bit secret generated once and kept in DATA_DIR (0600). */
  static async load(config: AppConfig): Promise<SigningKeys> {
    if (config.jwt.secret) return new SigningKeys(config.jwt.secret);
    return new SigningKeys(createSecretKey(await readOrCreateSecret(config.dataDir)));
  }
}

async function readOrCreateSecret(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, SECRET_FILE_NAME);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const fresh = randomBytes(GENERATED_SECRET_BYTES).toString('base64url');
  try {
    // 'wx' fails when the file exists, so two instances starting together keep one secret.
    await writeFile(path, `${fresh}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stored = (await readFile(path, 'utf8')).trim();
  if (stored.length < 43) {
    throw new Error(`${path} does not hold a usable secret; delete it to have a new one generated`);
  }
  return Buffer.from(stored, 'base64url');
}
