import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { KeyRingStore, rotateKeys } from '../tokens/key-ring.store.js';
import { AppConfig } from '../config/app-config.js';
import { loadDotEnvFile, processEnv } from '../config/dotenv.js';
import { CliLogger } from './cli-logger.js';
import { RotateKeysCliModule } from './rotate-keys-cli.module.js';

/**
 * `npm run keys:rotate`: adds a new signing key of JWT_ALGORITHM to the ring (in the database, or
 * DATA_DIR/signing-keys.json with the memory store). Instances sign with it once restarted; until
 * then they already accept it (an unknown kid makes them re-read the ring). The previous key keeps
 * verifying the tokens it signed until they expire.
 */
async function main(): Promise<void> {
  loadDotEnvFile();
  const config = AppConfig.fromEnv(processEnv());
  if (config.jwt.secret || config.jwt.privateKey) {
    throw new Error(
      'The signing key comes from JWT_SECRET or JWT_PRIVATE_KEY: rotate it where it is set (see the README).',
    );
  }
  const context = await NestFactory.createApplicationContext(RotateKeysCliModule.register(config), {
    logger: new CliLogger(),
    abortOnError: false,
  });
  try {
    const { added, removed } = await rotateKeys(
      context.get(KeyRingStore),
      config.jwt.algorithm,
      config.jwt.accessTokenTtlSeconds,
    );
    console.log(`Added ${added.alg} signing key ${added.kid}.`);
    for (const key of removed) console.log(`Removed retired key ${key.kid}.`);
    console.log('Restart the service (one instance at a time is fine) to sign with the new key.');
  } finally {
    await context.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
