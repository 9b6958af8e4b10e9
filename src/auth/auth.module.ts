import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../config/app-config.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { BcryptPasswordHasher } from './passwords/bcrypt.password-hasher.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { SigningKeys } from './tokens/signing-keys.js';

@Module({
  imports: [UsersModule, PassportModule, JwtModule.register({})],
  controllers: [AuthController],
  providers: [
    AuthService,
    AccessTokenService,
    LocalStrategy,
    JwtStrategy,
    { provide: PasswordHasher, useClass: BcryptPasswordHasher },
    {
      provide: SigningKeys,
      useFactory: (config: AppConfig) => SigningKeys.load(config),
      inject: [AppConfig],
    },
    // Secure by default: every route needs a token unless it says @Public().
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
})
export class AuthModule {}
