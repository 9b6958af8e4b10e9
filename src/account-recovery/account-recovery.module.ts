import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountRecoveryPagesController } from './account-recovery-pages.controller.js';
import { AccountRecoveryController } from './account-recovery.controller.js';
import { AccountRecoveryService } from './account-recovery.service.js';

@Module({
  imports: [
    AuthModule,
    PasswordsModule,
    UsersModule,
    MailModule,
    AuditModule,
    // IpRateLimitGuard is built in this module: it needs the limiters, metrics and audit.
    RateLimitModule,
    MetricsModule,
  ],
  controllers: [AccountRecoveryController, AccountRecoveryPagesController],
  providers: [AccountRecoveryService],
})
export class AccountRecoveryModule {}
