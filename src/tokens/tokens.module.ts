import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';
import { AccessTokenService } from './access-token.service.js';
import { AccessTokenVerifier } from './access-token.verifier.js';
import { keyRingStore } from './key-ring.factory.js';
import { SigningKeys } from './signing-keys.js';

/** Access tokens: issuing and verifying them, and the signing keys (the key ring, its JWKS). */
@Module({
  providers: [
    AccessTokenService,
    AccessTokenVerifier,
    {
      provide: SigningKeys,
      inject: [AppConfig, { token: Database, optional: true }],
      useFactory: (config: AppConfig, db?: Database) =>
        SigningKeys.load(config, keyRingStore(config, db)),
    },
  ],
  exports: [AccessTokenService, AccessTokenVerifier, SigningKeys],
})
export class TokensModule {}
