import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountRecoveryPagesController } from './account-recovery-pages.controller.js';
import { AccountRecoveryController } from './account-recovery.controller.js';
import { AccountRecoveryService } from './account-recovery.service.js';

@Module({
  imports: [AuthModule, UsersModule],
  controllers: [AccountRecoveryController, AccountRecoveryPagesController],
  providers: [AccountRecoveryService],
})
export class AccountRecoveryModule {}
