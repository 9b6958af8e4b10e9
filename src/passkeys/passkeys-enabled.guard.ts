import { Injectable, type CanActivate } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { passkeysOff } from './passkeys.service.js';

/**
 * On every passkey route: `404` while WEBAUTHN_RP_ID is unset. The routes stay registered, so the
 * OpenAPI document is the same whatever the configuration.
 */
@Injectable()
export class PasskeysEnabledGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (this.config.webauthn === undefined) throw passkeysOff();
    return true;
  }
}
