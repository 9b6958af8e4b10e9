import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { Database } from '../database/database.js';
import { MailModule } from '../mail/mail.module.js';
import { PasskeysEnabledGuard } from './passkeys-enabled.guard.js';
import { PasskeysService } from './passkeys.service.js';
import { PasskeysRepository } from './passkeys.repository.js';
import { InMemoryPasskeysRepository } from './repositories/in-memory.passkeys.repository.js';
import { InMemoryWebauthnChallengesRepository } from './repositories/in-memory.webauthn-challenges.repository.js';
import { SqlPasskeysRepository } from './repositories/sql.passkeys.repository.js';
import { SqlWebauthnChallengesRepository } from './repositories/sql.webauthn-challenges.repository.js';
import { WebauthnChallengesRetentionJob } from './webauthn-challenges-retention.job.js';
import { WebauthnChallengesRepository } from './webauthn-challenges.repository.js';

/**
 * Passkeys (WebAuthn, issue 26), their storage and ceremonies: the credentials registered to
 * accounts, each account's user handle, and the single-use challenges, with the job purging
 * expired ones. The routes are above it, in account/ (registering) and auth/ (signing in).
 */
@Module({
  imports: [AuditModule, MailModule],
  providers: [
    PasskeysService,
    PasskeysEnabledGuard,
    WebauthnChallengesRetentionJob,
    {
      provide: PasskeysRepository,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): PasskeysRepository =>
        db ? new SqlPasskeysRepository(db) : new InMemoryPasskeysRepository(),
    },
    {
      provide: WebauthnChallengesRepository,
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): WebauthnChallengesRepository =>
        db ? new SqlWebauthnChallengesRepository(db) : new InMemoryWebauthnChallengesRepository(),
    },
  ],
  exports: [PasskeysService, PasskeysRepository, PasskeysEnabledGuard],
})
export class PasskeysModule {}
