import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { Database } from '../database/database.js';
import { MailModule } from '../mail/mail.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { MfaEncryptionKey } from './mfa-encryption-key.js';
import { MfaRepository } from './mfa.repository.js';
import { MfaService } from './mfa.service.js';
import { InMemoryMfaRepository } from './repositories/in-memory.mfa.repository.js';
import { SqlMfaRepository } from './repositories/sql.mfa.repository.js';

/**
 * Two-factor login: TOTP enrolment, the second login step, recovery codes. Its routes are above
 * it: the login step in AuthModule, enrolment in AccountModule (both need auth/'s checks).
 */
@Module({
  imports: [UsersModule, SessionsModule, AuditModule, MailModule],
  providers: [
    MfaService,
    MfaEncryptionKey,
    {
      provide: MfaRepository,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): MfaRepository =>
        db ? new SqlMfaRepository(db) : new InMemoryMfaRepository(),
    },
  ],
  // The repository for SignOutEverywhereService, which ends pending second steps.
  exports: [MfaService, MfaRepository],
})
export class MfaModule {}
