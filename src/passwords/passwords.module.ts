import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module.js';
import { BcryptPasswordHasher } from './bcrypt.password-hasher.js';
import { PasswordHasher } from './password-hasher.js';
import { PasswordPolicyService } from './password-policy.service.js';

/** Hashing passwords (bcrypt, off the event loop) and the rules a new one must meet. */
@Module({
  imports: [MetricsModule],
  providers: [{ provide: PasswordHasher, useClass: BcryptPasswordHasher }, PasswordPolicyService],
  exports: [PasswordHasher, PasswordPolicyService],
})
export class PasswordsModule {}
