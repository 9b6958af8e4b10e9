import { AppConfig } from '../../config/app-config.js';
import { loadDotEnvFile, processEnv } from '../../config/dotenv.js';
import { keyRingPath, rotateKeyRing } from './key-ring.file.js';

/**
 * `npm run keys:rotate`: adds a new signing key of JWT_ALGORITHM to DATA_DIR/signing-keys.json.
 * Instances sign with it once restarted; until then they already accept it (an unknown kid makes
 * them re-read the ring). The previous key keeps verifying the tokens it signed until they expire.
 */
async function main(): Promise<void> {
  loadDotEnvFile();
  const config = AppConfig.fromEnv(processEnv());
  if (config.jwt.secret || config.jwt.privateKey) {
    throw new Error(
      'The signing key comes from JWT_SECRET or JWT_PRIVATE_KEY, not from DATA_DIR: rotate it where it is set (see the README).',
    );
  }
  const { added, removed } = await rotateKeyRing(
    config.dataDir,
    config.jwt.algorithm,
    config.jwt.accessTokenTtlSeconds,
  );
  console.log(`Added ${added.alg} key ${added.kid} to ${keyRingPath(config.dataDir)}.`);
  for (const key of removed) console.log(`Removed retired key ${key.kid}.`);
  console.log('Restart the service to sign with the new key.');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
