import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { ServerSecretsModule } from '../secrets/server-secrets.module.js';
import { Database } from '../database/database.js';
import { AccountDevicesRepository } from './account-devices.repository.js';
import { InMemoryAccountDevicesRepository } from './repositories/in-memory.account-devices.repository.js';
import { SqlAccountDevicesRepository } from './repositories/sql.account-devices.repository.js';
import { DeviceCookieInterceptor } from './device-cookie.interceptor.js';
import { DeviceCookies } from './device-cookies.js';
import { IpRateLimitGuard } from './ip-rate-limit.guard.js';
import { KnownAddressesRepository } from './known-addresses.repository.js';
import { LoginAttemptsService } from './login-attempts.service.js';
import { RateLimiters } from './rate-limiters.js';
import { InMemoryKnownAddressesRepository } from './repositories/in-memory.known-addresses.repository.js';
import { SqlKnownAddressesRepository } from './repositories/sql.known-addresses.repository.js';

@Module({
  imports: [AuditModule, MetricsModule, ServerSecretsModule],
  providers: [
    RateLimiters,
    LoginAttemptsService,
    IpRateLimitGuard,
    DeviceCookies,
    DeviceCookieInterceptor,
    {
      provide: AccountDevicesRepository,
      // Beside the users, as the known addresses are: a generation must outlive a Redis restart.
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): AccountDevicesRepository =>
        db ? new SqlAccountDevicesRepository(db) : new InMemoryAccountDevicesRepository(),
    },
    {
      provide: KnownAddressesRepository,
      // A table beside the users, not Redis: the 30-day memory must outlive a Redis restart or
      // eviction, and a single instance without Redis needs it too.
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): KnownAddressesRepository =>
        db ? new SqlKnownAddressesRepository(db) : new InMemoryKnownAddressesRepository(),
    },
  ],
  exports: [
    RateLimiters,
    LoginAttemptsService,
    IpRateLimitGuard,
    DeviceCookieInterceptor,
    DeviceCookies,
  ],
})
export class RateLimitModule {}
