import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { AdminAuditController } from './admin-audit.controller.js';
import { AdminUsersController } from './admin-users.controller.js';
import { UserAdminService } from './user-admin.service.js';

/** The admin API (/admin/…, @Roles('admin')) and the account changes it shares with /me. */
@Module({
  imports: [AuthModule, UsersModule],
  controllers: [AdminUsersController, AdminAuditController],
  providers: [UserAdminService],
  exports: [UserAdminService],
})
export class AdminModule {}
