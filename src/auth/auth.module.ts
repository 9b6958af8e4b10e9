import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from '../audit/audit.module.js';
import { IdentitiesModule } from '../identities/identities.module.js';
import { MailModule } from '../mail/mail.module.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { MfaModule } from '../mfa/mfa.module.js';
import { PasskeysModule } from '../passkeys/passkeys.module.js';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { RateLimitModule } from '../rate-limit/rate-limit.module.js';
import { SessionsModule } from '../sessions/sessions.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { UsersModule } from '../users/users.module.js';
import { UsersService } from '../users/users.service.js';
import { Database } from '../database/database.js';
import { IdentitiesRepository } from '../identities/identities.repository.js';
import { PasskeysRepository } from '../passkeys/passkeys.repository.js';
import { AccountDeletionService } from './account-deletion.service.js';
import { AuthController } from './auth.controller.js';
import { AuthorizationCodeGrantService } from './authorization-code-grant.service.js';
import { AuthorizeController } from './authorize.controller.js';
import { AuthService } from './auth.service.js';
import { BrowserOriginGuard, RefreshCookieGuard } from './browser/browser-origin.guards.js';
import { BrowserOrigins } from './browser/browser-origins.js';
import { RefreshTokenCookieInterceptor } from './browser/refresh-token-cookie.interceptor.js';
import { RefreshTokenCookie } from './browser/refresh-token-cookie.js';
import { FederatedFlowService } from './federated-flow.service.js';
import { FederatedSignInService } from './federated-sign-in.service.js';
import { IdentityLinkService } from './identity-link.service.js';
import { JwtAuthGuard } from './guards/jwt-auth.guard.js';
import { JwksController } from './jwks.controller.js';
import { OidcModule } from './oidc/oidc.module.js';
import { PasskeyLoginController } from './passkey-login.controller.js';
import { PasskeySignInService } from './passkey-sign-in.service.js';
import { IntrospectionClientGuard } from './oauth/introspection-client.guard.js';
import { IntrospectionClients } from './oauth/introspection-clients.js';
import { OAuthController } from './oauth/oauth.controller.js';
import { OAuthService } from './oauth/oauth.service.js';
import { ServerMetadataController } from './oauth/server-metadata.controller.js';
import { TokenInspector } from './oauth/token-inspector.js';
import { ReauthenticationService } from './reauthentication.service.js';
import { RolesGuard } from './roles/roles.guard.js';
import { SignOutEverywhereService } from './sign-out-everywhere.service.js';
import { InMemorySignInMethodsStore } from './sign-in-methods/in-memory.sign-in-methods.store.js';
import { SignInMethodsService } from './sign-in-methods/sign-in-methods.service.js';
import { SignInMethodsStore } from './sign-in-methods/sign-in-methods.store.js';
import { SqlSignInMethodsStore } from './sign-in-methods/sql.sign-in-methods.store.js';
import { JwtStrategy } from './strategies/jwt.strategy.js';
import { LocalStrategy } from './strategies/local.strategy.js';

/**
 * Signing in: the token endpoint and its grants, the OAuth2 endpoints, Passport strategies, the
 * global guards, browser cookies; and what every feature above uses to prove or end a login (the
 * re-authentication check, sign-out-everywhere, account deletion).
 */
@Module({
  imports: [
    UsersModule,
    SessionsModule,
    TokensModule,
    PasswordsModule,
    MfaModule,
    IdentitiesModule,
    PasskeysModule,
    RateLimitModule,
    AuditModule,
    MetricsModule,
    MailModule,
    PassportModule,
    OidcModule,
  ],
  controllers: [
    AuthController,
    AuthorizeController,
    JwksController,
    OAuthController,
    ServerMetadataController,
    PasskeyLoginController,
  ],
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
    LocalStrategy,
    JwtStrategy,
    ReauthenticationService,
    SignOutEverywhereService,
    AccountDeletionService,
    SignInMethodsService,
    {
      provide: SignInMethodsStore,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      inject: [
        UsersService,
        IdentitiesRepository,
        PasskeysRepository,
        { token: Database, optional: true },
      ],
      useFactory: (
        users: UsersService,
        identities: IdentitiesRepository,
        passkeys: PasskeysRepository,
        db?: Database,
      ): SignInMethodsStore =>
        db
          ? new SqlSignInMethodsStore(db)
          : new InMemorySignInMethodsStore(users, identities, passkeys),
    },
    FederatedSignInService,
    FederatedFlowService,
    AuthorizationCodeGrantService,
    IdentityLinkService,
    PasskeySignInService,
    // Secure by default: every route needs a token unless it says @Public().
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    // After it (global guards run in the order they are provided): @Roles reads the token's claims.
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [
    ReauthenticationService,
    SignOutEverywhereService,
    AccountDeletionService,
    SignInMethodsService,
    IdentityLinkService,
  ],
})
export class AuthModule {}
