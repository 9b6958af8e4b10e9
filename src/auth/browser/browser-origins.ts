import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';

/**
 * Which browser origins may use the token endpoints when the refresh token travels in a cookie:
 * those of CORS_ORIGINS, and the service's own (PUBLIC_URL's origin: Swagger UI, pages we serve).
 */
@Injectable()
export class BrowserOrigins {
  readonly own: string;
  private readonly cross: ReadonlySet<string>;

  constructor(config: AppConfig) {
    this.own = new URL(config.publicUrl).origin;
    const { corsOrigins } = config.browser;
    // `*` never comes with the cookie (AppConfig refuses it), so it allows no one here.
    this.cross = new Set(corsOrigins === '*' ? [] : corsOrigins);
  }

  /** An origin of CORS_ORIGINS: its scripts read our answers, so the body keeps no refresh token. */
  isCrossOrigin(origin: string | undefined): boolean {
    return origin !== undefined && this.cross.has(origin);
  }

  /** An origin of CORS_ORIGINS, or our own. */
  isAllowed(origin: string | undefined): boolean {
    return origin !== undefined && (origin === this.own || this.cross.has(origin));
  }
}
