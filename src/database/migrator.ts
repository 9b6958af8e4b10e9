import { Migrator, type Kysely, type Migration, type MigrationResult } from 'kysely';
import { MIGRATIONS } from './migrations/migration-list.js';

/** A migration failed; nothing was applied (all pending migrations run in one transaction). */
export class MigrationFailedError extends Error {
  constructor(migration: string | undefined, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Database migration ${migration ?? '(setup)'} failed: ${reason}. No migration was applied; the database is as it was.`,
      { cause },
    );
    this.name = 'MigrationFailedError';
  }
}

/** Applies every pending migration; returns the names applied (none on a second start). */
export async function runMigrations(
  // Migrations see the schema as it was when they were written, not today's types (Kysely's advice).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  migrations: Readonly<Record<string, Migration>> = MIGRATIONS,
): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
  });
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error) {
    const failed = results.find((result: MigrationResult) => result.status === 'Error');
    throw new MigrationFailedError(failed?.migrationName, error);
  }
  return results.map((result) => result.migrationName);
}
