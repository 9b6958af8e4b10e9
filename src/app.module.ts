import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { AccountModule } from './account/account.module.js';
import { AccountRecoveryModule } from './account-recovery/account-recovery.module.js';
import { AdminModule } from './admin/admin.module.js';
import { LifecycleModule } from './lifecycle/lifecycle.module.js';
import { MetricsEndpointModule } from './metrics/metrics-endpoint.module.js';
import { AuthModule } from './auth/auth.module.js';
import { ProblemDetailsFilter } from './common/filters/problem-details.filter.js';
import { createValidationPipe } from './common/validation/validation.pipe.js';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { RedisModule } from './redis/redis.module.js';
import { HealthModule } from './health/health.module.js';
import { ProtectedModule } from './protected/protected.module.js';

/**
 * The entry point's wiring: the infrastructure every module needs (@Global), then the features,
 * each importing the modules it uses.
 */
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
        AuthModule,
        AccountModule,
        AccountRecoveryModule,
        AdminModule,
        ProtectedModule,
        HealthModule,
        MetricsEndpointModule.forRoot(config),
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
