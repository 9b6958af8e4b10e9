import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { DatabaseModule } from '../database/database.module.js';

/** `npm run migrate`: the configured database, unmigrated, and nothing else. */
@Module({})
export class MigrateCliModule {
  static register(config: AppConfig): DynamicModule {
    return { module: MigrateCliModule, imports: [DatabaseModule.forMigrations(config)] };
  }
}
