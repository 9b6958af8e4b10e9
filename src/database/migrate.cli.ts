import 'reflect-metadata';
import { AppConfig } from '../config/app-config.js';
import { loadDotEnvFile, processEnv } from '../config/dotenv.js';
import { openDatabase } from './database.factory.js';
import { runMigrations } from './migrator.js';

/** `npm run migrate`: applies pending migrations to the configured database and exits. */
async function main(): Promise<void> {
  loadDotEnvFile();
  const config = AppConfig.fromEnv(processEnv());
  if (config.database.kind === 'memory') {
    console.log('DATABASE_URL=memory: has no schema to migrate.');
    return;
  }
  // No hold limit: a migration may rightly run for minutes (see postgres.dialect.ts).
  const db = await openDatabase(config.database, { holdLimitMs: null });
  try {
    const applied = await runMigrations(db);
    console.log(
      applied.length ? `Applied: ${applied.join(', ')}` : 'Up to date: nothing to apply.',
    );
  } finally {
    await db.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
