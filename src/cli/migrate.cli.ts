import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '../config/app-config.js';
import { loadDotEnvFile, processEnv } from '../config/dotenv.js';
import { Database } from '../database/database.js';
import { runMigrations } from '../database/migrator.js';
import { CliLogger } from './cli-logger.js';
import { MigrateCliModule } from './migrate-cli.module.js';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
async function main(): Promise<void> {
  loadDotEnvFile();
  const config = AppConfig.fromEnv(processEnv());
  if (config.database.kind === 'memory') {
    console.log('DATABASE_URL=memory: has no schema to migrate.');
    return;
  }
  const context = await NestFactory.createApplicationContext(MigrateCliModule.register(config), {
    logger: new CliLogger(),
    abortOnError: false,
  });
  try {
    const applied = await runMigrations(context.get(Database));
    console.log(
      applied.length ? `Applied: ${applied.join(', ')}` : 'Up to date: nothing to apply.',
    );
  } finally {
    await context.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
