import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AccountModule } from './account/account.module.js';
import { AccountRecoveryModule } from './account-recovery/account-recovery.module.js';
import { AdminModule } from './admin/admin.module.js';
import { AuditModule } from './audit/audit.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { MailModule } from './mail/mail.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter.js';
import { createValidationPipe } from './common/validation/validation.pipe.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { RateLimitModule } from './rate-limit/rate-limit.module.js';
import { RedisModule } from './redis/redis.module.js';
import { ServerSecretsModule } from './secrets/server-secrets.module.js';
import { HealthModule } from './health/health.module.js';
import { ProtectedModule } from './protected/protected.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LifecycleModule,
        DatabaseModule.forRoot(config),
        RedisModule.forRoot(config),
        ServerSecretsModule,
        RateLimitModule,
        AuditModule,
        MetricsModule.forRoot(config),
        UsersModule,
        MailModule,
        AuthModule,
        AccountModule,
        AccountRecoveryModule,
        AdminModule,
        ProtectedModule,
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
