import { Body, Controller, HttpCode, Post, Req, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { FastifyRequest } from 'fastify';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { OAuthEndpoint } from '../common/decorators/oauth-endpoint.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import {
  ApiOAuthErrorResponses,
  ApiProblemResponses,
} from '../common/problems/api-problem-responses.decorator.js';
import { BAD_BODY } from '../common/problems/bad-body.problems.js';
import { PasskeysEnabledGuard } from '../passkeys/passkeys-enabled.guard.js';
import { DeviceCookieInterceptor } from '../rate-limit/device-cookie.interceptor.js';
import { IpRateLimitGuard } from '../rate-limit/ip-rate-limit.guard.js';
import { LoginRoute } from '../rate-limit/login-route.decorator.js';
import type { User } from '../users/user.js';
import { BrowserOriginGuard } from './browser/browser-origin.guards.js';
import { RefreshTokenCookieInterceptor } from './browser/refresh-token-cookie.interceptor.js';
import { PasskeyLoginDto, PasskeyLoginOptionsDto } from './dto/passkey-login.dto.js';
import { TokenResponseDto } from './dto/token-response.dto.js';
import { INVALID_PASSKEY, PasskeySignInService } from './passkey-sign-in.service.js';

const PASSKEYS_OFF = {
  kind: 'notFound',
  detail: 'Passkeys are not enabled on this server.',
  description: 'Passkeys are off (WEBAUTHN_RP_ID is unset)',
} as const;
const REFRESH_COOKIE_HEADER = {
  description:
    'As `/login` sets them: the device cookie, and with `REFRESH_TOKEN_COOKIE=on`, to a browser whose `Origin` is ours or in `CORS_ORIGINS`, the refresh token cookie (the body then has no `refresh_token` for an origin of `CORS_ORIGINS`).',
  schema: { type: 'string' },
};

/** Signing in with a passkey (issue 26): usernameless, two calls from the page. */
@ApiTags('auth')
@Controller('login/passkey')
export class PasskeyLoginController {
  constructor(private readonly passkeys: PasskeySignInService) {}

  @Public()
  @UseGuards(IpRateLimitGuard, PasskeysEnabledGuard)
  @Post('options')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start a passkey sign-in: the request options for the browser',
    description:
      'No body. Answers `{challenge_id, options}`: the options for `navigator.credentials.get()` in the WebAuthn Level 3 `toJSON` shape, with `allowCredentials` always empty (the browser offers the passkeys it holds for this site, so nothing about any account is revealed) and user verification required. A page may use them with conditional mediation (autofill). The challenge is single use and lives 5 minutes; send the answer to `POST /login/passkey` with `challenge_id`.',
  })
  @ApiOkResponse({ type: PasskeyLoginOptionsDto })
  @ApiProblemResponses(PASSKEYS_OFF, {
    kind: 'tooManyRequests',
    detail: 'Too many requests from your address; try again in 42 s.',
  })
  async options(): Promise<PasskeyLoginOptionsDto> {
    const { challengeId, options } = await this.passkeys.options();
    return { challenge_id: challengeId, options };
  }

  @Public()
  @UseGuards(IpRateLimitGuard, PasskeysEnabledGuard, BrowserOriginGuard)
  @UseInterceptors(RefreshTokenCookieInterceptor, DeviceCookieInterceptor)
  @LoginRoute()
  @Post()
  @HttpCode(200)
  @OAuthEndpoint()
  @ApiOperation({
    summary: 'Sign in with a passkey',
    description:
      'The browser’s answer to the options of `POST /login/passkey/options`, with their `challenge_id`. Checked: the challenge (single use, live), a registered credential, the `userHandle` (the owner’s random handle), the origin (WEBAUTHN_ORIGINS), the RP id hash, user presence and verification, the signature, and the signature counter (one that did not go up while either is non-zero is refused and audited as a suspected cloned authenticator). Answers the usual token response and refresh cookie rules of `/login`; access tokens carry `amr` `["pop","user","mfa"]` and no TOTP step follows. Every failure is `401 invalid_grant`, and counts only toward the address’s failed-login allowance (`LOGIN_MAX_FAILURES_PER_ADDRESS`), never an account’s. Errors are served as `application/json`, as at `/login`.',
  })
  @ApiConsumes('application/json')
  @ApiBody({ type: PasskeyLoginDto })
  @ApiOkResponse({ type: TokenResponseDto, headers: { 'Set-Cookie': REFRESH_COOKIE_HEADER } })
  @ApiOAuthErrorResponses(
    ...BAD_BODY,
    { kind: 'invalidRequest', detail: 'challenge_id must not be empty.' },
    {
      kind: 'invalidPasskey',
      detail: INVALID_PASSKEY,
      error: 'invalid_grant',
      description:
        'The answer failed a check (an unknown, used or expired challenge, an unknown credential, another user handle, origin or RP id, no user verification, a bad signature, a counter that did not go up), or the account is disabled',
    },
    { kind: 'validation', detail: 'response must be an object.' },
    {
      kind: 'originNotAllowed',
      detail: 'Requests from this origin are not allowed: it is not in CORS_ORIGINS.',
      error: 'invalid_request',
      description:
        'With `REFRESH_TOKEN_COOKIE=on`: an `Origin` that is neither ours nor in `CORS_ORIGINS` (cross-site request forgery)',
    },
    {
      kind: 'emailNotVerified',
      detail:
        'Confirm your email address first: follow the link we sent you (a fresh one is on its way).',
      error: 'email_not_verified',
      description: 'With `EMAIL_VERIFICATION=required`: the account’s address is not verified yet',
    },
    PASSKEYS_OFF,
    {
      kind: 'tooManyRequests',
      detail: 'Too many failed logins; try again later.',
      description:
        'Too many failed sign-ins from this address across accounts, or too many requests from it',
    },
  )
  async signIn(
    @Body() dto: PasskeyLoginDto,
    @Req() request: FastifyRequest & { user?: User },
    @Client() client: ClientInfo,
  ): Promise<TokenResponseDto> {
    const { user, tokens } = await this.passkeys.signIn(
      dto.challenge_id,
      // Its shape is the library's to check: every field it lacks is a refused sign-in.
      dto.response as unknown as AuthenticationResponseJSON,
      client,
    );
    // Who signed in, where Passport puts it on /login: the device-cookie interceptor reads it.
    request.user = user;
    return tokens;
  }
}
