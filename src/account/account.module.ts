import { Module } from '@nestjs/common';
import { AdminModule } from '../admin/admin.module.js';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountController } from './account.controller.js';
import { AccountService } from './account.service.js';
import { MfaController } from './mfa.controller.js';

@Module({
  imports: [AuthModule, UsersModule, AdminModule],
  controllers: [AccountController, MfaController],
  providers: [AccountService],
})
export class AccountModule {}
