import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminAuditController } from './admin-audit.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { UserAdminService } from './user-admin.service.js';

/** The admin API (/admin/…, @Roles('admin')). */
@Module({
  imports: [
    AuthModule,
    MfaModule,
    PasskeysModule,
    SessionsModule,
    UsersModule,
    AuditModule,
    MailModule,
  ],
  controllers: [AdminUsersController, AdminAuditController],
  providers: [UserAdminService],
})
export class AdminModule {}
