import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { OidcProvidersController } from './oidc-providers.controller.js';
import { OidcProvidersService } from './oidc-providers.service.js';

/**
 * Sign-in through OpenID Connect providers: their discovery, one Passport strategy each, and the
 * list a page draws its buttons from.
 */
@Module({
  controllers: [OidcProvidersController],
  providers: [
    {
      provide: OidcProvidersService,
      useFactory: (config: AppConfig) => new OidcProvidersService(config.oidc.providers),
      inject: [AppConfig],
    },
  ],
  exports: [OidcProvidersService],
})
export class OidcModule {}
