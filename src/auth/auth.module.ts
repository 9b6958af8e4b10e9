import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';
import { UsersModule } from '../users/users.module.js';
import { UsersService } from '../users/users.service.js';
import { MfaEncryptionKey } from '../mfa/mfa-encryption-key.js';
import { MfaRepository } from '../mfa/mfa.repository.js';
import { MfaService } from '../mfa/mfa.service.js';
import { InMemoryMfaRepository } from '../mfa/repositories/in-memory.mfa.repository.js';
import { SqlMfaRepository } from '../mfa/repositories/sql.mfa.repository.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { JwksController } from './jwks.controller.js';
import { IntrospectionClientGuard } from './oauth/introspection-client.guard.js';
import { IntrospectionClients } from './oauth/introspection-clients.js';
import { OAuthController } from './oauth/oauth.controller.js';
import { OAuthService } from './oauth/oauth.service.js';
import { ServerMetadataController } from './oauth/server-metadata.controller.js';
import { TokenInspector } from './oauth/token-inspector.js';
import { BcryptPasswordHasher } from './passwords/bcrypt.password-hasher.js';
import { PasswordHasher } from './passwords/password-hasher.js';
import { PasswordPolicy } from './passwords/password-policy.service.js';
import { RolesGuard } from './roles/roles.guard.js';
import { InMemorySessionsRepository } from './sessions/repositories/in-memory.sessions.repository.js';
import { SqlSessionsRepository } from './sessions/repositories/sql.sessions.repository.js';
import { RevocationList } from './sessions/revocation-list.js';
import { SessionRetentionJob } from './sessions/session-retention.job.js';
import { SessionsRepository } from './sessions/sessions.repository.js';
import { SessionsService } from './sessions/sessions.service.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';
import { AccessTokenService } from './tokens/access-token.service.js';
import { AccessTokenVerifier } from './tokens/access-token.verifier.js';
import { keyRingStore } from './tokens/key-ring.factory.js';
import { SigningKeys } from './tokens/signing-keys.js';
import { BrowserOrigins } from './browser/browser-origins.js';
import { BrowserOriginGuard, RefreshCookieGuard } from './browser/browser-origin.guards.js';
import { RefreshTokenCookie } from './browser/refresh-token-cookie.js';
import { RefreshTokenCookieInterceptor } from './browser/refresh-token-cookie.interceptor.js';

@Module({
  imports: [UsersModule, PassportModule],
  controllers: [AuthController, JwksController, OAuthController, ServerMetadataController],
  providers: [
    AuthService,
    BrowserOrigins,
    RefreshTokenCookie,
    BrowserOriginGuard,
    RefreshCookieGuard,
    RefreshTokenCookieInterceptor,
    OAuthService,
    TokenInspector,
    IntrospectionClients,
    IntrospectionClientGuard,
    // Two-factor login lives beside the login it guards (AuthService needs it, and it needs the
    // sessions and the hasher); its enrolment routes are in AccountModule.
    MfaService,
    MfaEncryptionKey,
    {
      provide: MfaRepository,
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): MfaRepository =>
        db ? new SqlMfaRepository(db) : new InMemoryMfaRepository(),
    },
    AccessTokenService,
    AccessTokenVerifier,
    SessionsService,
    RevocationList,
    SessionRetentionJob,
    LocalStrategy,
    JwtStrategy,
    { provide: PasswordHasher, useClass: BcryptPasswordHasher },
    PasswordPolicy,
    {
      provide: SessionsRepository,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      inject: [UsersService, { token: Database, optional: true }],
      useFactory: (users: UsersService, db?: Database): SessionsRepository =>
        db ? new SqlSessionsRepository(db) : new InMemorySessionsRepository(users),
    },
    {
      provide: SigningKeys,
      inject: [AppConfig, { token: Database, optional: true }],
      useFactory: (config: AppConfig, db?: Database) =>
        SigningKeys.load(config, keyRingStore(config, db)),
    },
    // Secure by default: every route needs a token unless it says @Public().
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    // After it (global guards run in the order they are provided): @Roles reads the token's claims.
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [PasswordHasher, PasswordPolicy, SessionsService, MfaService],
})
export class AuthModule {}
