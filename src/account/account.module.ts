import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { AccountService } from './account.service.js';
import { IdentitiesController } from './identities.controller.js';
import { MfaController } from './mfa.controller.js';
import { PasskeysController } from './passkeys.controller.js';

/** What a signed-in user does to their own account (/me…), two-factor enrolment included. */
@Module({
  imports: [
    AuthModule,
    MfaModule,
    SessionsModule,
    PasswordsModule,
    PasskeysModule,
    UsersModule,
    AuditModule,
    MailModule,
    // IpRateLimitGuard is built in this module: it needs the limiters, metrics and audit.
    RateLimitModule,
    MetricsModule,
  ],
  controllers: [AccountController, MfaController, IdentitiesController, PasskeysController],
  providers: [AccountService],
})
export class AccountModule {}
