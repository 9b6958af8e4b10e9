import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';
import { ServerSecrets, serverSecretStore } from './server-secrets.js';

@Module({
  providers: [
    {
      provide: ServerSecrets,
      inject: [AppConfig, { token: Database, optional: true }],
      useFactory: (config: AppConfig, db?: Database) =>
        ServerSecrets.load(config, serverSecretStore(config, db)),
    },
  ],
  exports: [ServerSecrets],
})
export class ServerSecretsModule {}
