import { Global, Module } from '@nestjs/common';
import { IpRateLimitGuard } from './ip-rate-limit.guard.js';
import { LoginAttempts } from './login-attempts.service.js';
import { RateLimiters } from './rate-limiters.js';

@Global()
@Module({
  providers: [RateLimiters, LoginAttempts, IpRateLimitGuard],
  exports: [RateLimiters, LoginAttempts, IpRateLimitGuard],
})
export class RateLimitModule {}
