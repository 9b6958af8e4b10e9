import { DynamicModule, Module } from '@nestjs/common';
import { UserAdminService } from '../admin/user-admin.service.js';
import { AuditRepository } from '../audit/audit.repository.js';
import { AuditService } from '../audit/audit.service.js';
import { SqlAuditRepository } from '../audit/repositories/sql.audit.repository.js';
import { BcryptPasswordHasher } from '../passwords/bcrypt.password-hasher.js';
import { PasswordHasher } from '../passwords/password-hasher.js';
import { PasswordPolicyService } from '../passwords/password-policy.service.js';
import { SqlSessionsRepository } from '../sessions/repositories/sql.sessions.repository.js';
import { RevocationList } from '../sessions/revocation-list.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import { SessionsService } from '../sessions/sessions.service.js';
import { AccountDeletionService } from '../auth/account-deletion.service.js';
import { SignOutEverywhereService } from '../auth/sign-out-everywhere.service.js';
import { AppConfig } from '../config/app-config.js';
import { ConfigModule } from '../config/config.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { Database } from '../database/database.js';
import { IdentitiesRepository } from '../identities/identities.repository.js';
import { SqlIdentitiesRepository } from '../identities/repositories/sql.identities.repository.js';
import { PasskeysRepository } from '../passkeys/passkeys.repository.js';
import { SqlPasskeysRepository } from '../passkeys/repositories/sql.passkeys.repository.js';
import { MfaRepository } from '../mfa/mfa.repository.js';
import { SqlMfaRepository } from '../mfa/repositories/sql.mfa.repository.js';
import { AccountDevicesRepository } from '../rate-limit/account-devices.repository.js';
import { DeviceCookies } from '../rate-limit/device-cookies.js';
import { SqlAccountDevicesRepository } from '../rate-limit/repositories/sql.account-devices.repository.js';
import { ServerSecretsModule } from '../secrets/server-secrets.module.js';
import { UsersModule } from '../users/users.module.js';

/**
 * `npm run users`: the services the admin API uses, over the configured (SQL) database, so the
 * rules are the same; no mail, no Redis, no HTTP, and none of the periodic jobs. AuditModule and
 * AuthModule/AdminModule each carry a job (audit and session retention, the revocation sync), so
 * the few providers needed from them are listed here; they can be imported once their jobs live
 * in modules of their own.
 */
@Module({})
export class UsersCliModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: UsersCliModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot(config),
        ServerSecretsModule,
        UsersModule,
      ],
      providers: [
        UserAdminService,
        SignOutEverywhereService,
        AccountDeletionService,
        AuditService,
        {
          provide: AuditRepository,
          inject: [Database],
          useFactory: (db: Database) => new SqlAuditRepository(db),
        },
        // A deletion removes the account's identities (IdentitiesModule would bring its purge job).
        {
          provide: IdentitiesRepository,
          inject: [Database],
          useFactory: (db: Database) => new SqlIdentitiesRepository(db),
        },
        // …and its passkeys (PasskeysModule would bring its challenge purge job).
        {
          provide: PasskeysRepository,
          inject: [Database],
          useFactory: (db: Database) => new SqlPasskeysRepository(db),
        },
        SessionsService,
        {
          provide: SessionsRepository,
          inject: [Database],
          useFactory: (db: Database) => new SqlSessionsRepository(db),
        },
        {
          // Without the database, it starts no sync timer: running instances learn of the
          // sessions ended here from the database (every 500 ms), the source of truth.
          provide: RevocationList,
          inject: [SessionsRepository, AppConfig],
          useFactory: (sessions: SessionsRepository, appConfig: AppConfig) =>
            new RevocationList(sessions, appConfig),
        },
        // Ending an account's sessions also advances its device-cookie generation and ends its
        // pending MFA steps (SignOutEverywhereService), as the admin API does.
        DeviceCookies,
        {
          provide: AccountDevicesRepository,
          inject: [Database],
          useFactory: (db: Database) => new SqlAccountDevicesRepository(db),
        },
        {
          provide: MfaRepository,
          inject: [Database],
          useFactory: (db: Database) => new SqlMfaRepository(db),
        },
        PasswordPolicyService,
        { provide: PasswordHasher, useClass: BcryptPasswordHasher },
      ],
    };
  }
}
