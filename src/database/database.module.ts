import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
} from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { openDatabase, openMigratedDatabase } from './database.factory.js';
import { Database } from './database.js';

@Injectable()
class DatabaseCloser implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly db: Database) {}

  async onApplicationShutdown(): Promise<void> {
    await this.db.destroy();
  }
}

/**
 * Provides the migrated SQL Database when DATABASE_URL names one (SQLite by default) and nothing
 * with `memory:`; stores pick their implementation from whether it is there.
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { database } = config;
    if (database.kind === 'memory') return { module: DatabaseModule };
    return {
      module: DatabaseModule,
      providers: [
        { provide: Database, useFactory: () => openMigratedDatabase(database) },
        DatabaseCloser,
      ],
      exports: [Database],
    };
  }

  /**
   * The database as it is, unmigrated, for `npm run migrate`; its pool has no hold limit, since a
   * migration may rightly run for minutes (see postgres.dialect.ts).
   */
  static forMigrations(config: AppConfig): DynamicModule {
    const { database } = config;
    if (database.kind === 'memory') return { module: DatabaseModule };
    return {
      module: DatabaseModule,
      providers: [
        {
          provide: Database,
          useFactory: () => openDatabase(database, { holdLimitMs: null }),
        },
        DatabaseCloser,
      ],
      exports: [Database],
    };
  }
}
