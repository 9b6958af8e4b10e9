import { Injectable } from '@nestjs/common';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../../config/app-config.js';

export const REFRESH_TOKEN_COOKIE = 'refresh_token';

/**
 * The refresh token as a cookie (REFRESH_TOKEN_COOKIE=on), out of reach of page scripts:
 * HttpOnly, SameSite=Strict, sent only to /refresh (under PUBLIC_URL's path), Secure on https —
 * the device cookie's rules.
 */
@Injectable()
export class RefreshTokenCookie {
  readonly enabled: boolean;
  private readonly attributes: CookieSerializeOptions;

  constructor(config: AppConfig) {
    this.enabled = config.browser.refreshTokenCookie;
    const publicUrl = new URL(config.publicUrl);
    this.attributes = {
      httpOnly: true,
      sameSite: 'strict',
      path: `${publicUrl.pathname.replace(/\/$/, '')}/refresh`,
      secure: publicUrl.protocol === 'https:',
    };
  }

  /** Sets the cookie to live exactly as long as the token does. */
  set(reply: FastifyReply, token: string, expiresAt: Date, now = Date.now()): void {
    const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - now) / 1000));
    void reply.setCookie(REFRESH_TOKEN_COOKIE, token, { ...this.attributes, maxAge });
  }

  /** An expired cookie of the same name and path: the browser drops the one it holds. */
  clear(reply: FastifyReply): void {
    void reply.clearCookie(REFRESH_TOKEN_COOKIE, this.attributes);
  }

  read(request: FastifyRequest): string | undefined {
    const value = request.cookies[REFRESH_TOKEN_COOKIE];
    return value ? value : undefined;
  }
}
