import { DynamicModule, Module } from '@nestjs/common';
import { keyRingStore } from '../tokens/key-ring.factory.js';
import { KeyRingStore } from '../tokens/key-ring.store.js';
import { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { Database } from '../database/database.js';

/**
 * `npm run keys:rotate`: the key ring the service reads, in the migrated database, or in
 * DATA_DIR/signing-keys.json with the memory store (where DatabaseModule provides nothing).
 */
@Module({})
export class RotateKeysCliModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: RotateKeysCliModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule.forRoot(config)],
      providers: [
        {
          provide: KeyRingStore,
          inject: [AppConfig, { token: Database, optional: true }],
          useFactory: (appConfig: AppConfig, db?: Database) => keyRingStore(appConfig, db),
        },
      ],
    };
  }
}
