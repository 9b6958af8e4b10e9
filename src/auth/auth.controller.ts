import {
  Body,
  Controller,
  HttpCode,
  Post,
  Req,
  Res,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { BAD_BODY } from '../common/problems/bad-body.problems.js';
import {
  ApiOAuthErrorResponses,
  ApiProblemResponses,
} from '../common/problems/api-problem-responses.decorator.js';
import { toUserDto } from '../users/dto/user.dto.js';
import type { User } from '../users/user.js';
import { AuthService } from './auth.service.js';
import { AuthorizationCodeGrantService } from './authorization-code-grant.service.js';
import { AuthorizationCodeDto } from './dto/authorization-code.dto.js';
import { LoginDto } from './dto/login.dto.js';
import { LogoutDto } from './dto/logout.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { SignupResponseDto } from './dto/signup-response.dto.js';
import { SignupDto } from './dto/signup.dto.js';
import { TokenResponseDto } from './dto/token-response.dto.js';
import { ApiBearer } from './guards/api-bearer.decorator.js';
import { BrowserOriginGuard, RefreshCookieGuard } from './browser/browser-origin.guards.js';
import { RefreshTokenCookie } from './browser/refresh-token-cookie.js';
import { RefreshTokenCookieInterceptor } from './browser/refresh-token-cookie.interceptor.js';
import { DeviceCookieInterceptor } from '../rate-limit/device-cookie.interceptor.js';
import { IpRateLimitGuard } from '../rate-limit/ip-rate-limit.guard.js';
import { LoginRoute } from '../rate-limit/login-route.decorator.js';
import { FormParametersGuard, GrantTypeGuard } from './guards/grant-type.guard.js';
import { MfaLoginDto } from './dto/mfa-login.dto.js';
import { LocalAuthGuard } from './guards/local-auth.guard.js';
import { OAuthEndpoint } from '../common/decorators/oauth-endpoint.decorator.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';

const DEVICE_COOKIE_HEADER = {
  'Set-Cookie': {
    description:
      'The device cookie (`device=…; Max-Age=31536000; Path=/login; HttpOnly; SameSite=Strict`, `Secure` when PUBLIC_URL is https): it marks this browser as known to the account, so failed logins from elsewhere never lock it out.',
    schema: { type: 'string' },
  },
};
const REFRESH_COOKIE_HEADER = {
  description:
    'With `REFRESH_TOKEN_COOKIE=on`, to a browser whose `Origin` is ours or in `CORS_ORIGINS`: the refresh token cookie (`refresh_token=…; Max-Age=<its remaining lifetime>; Path=/refresh; HttpOnly; SameSite=Strict`, `Secure` when PUBLIC_URL is https). For an origin of `CORS_ORIGINS` the body then has no `refresh_token`.',
  schema: { type: 'string' },
};
const ORIGIN_NOT_ALLOWED = {
  kind: 'originNotAllowed',
  detail: 'Requests from this origin are not allowed: it is not in CORS_ORIGINS.',
  error: 'invalid_request',
  description:
    'With `REFRESH_TOKEN_COOKIE=on`: an `Origin` that is neither ours nor in `CORS_ORIGINS` (cross-site request forgery)',
} as const;
const COOKIE_NOTE =
  'With `REFRESH_TOKEN_COOKIE=on` a browser `Origin` that is neither ours nor in `CORS_ORIGINS` is refused (`403 origin-not-allowed`) before anything else.';
const TOKEN_ENDPOINT_NOTE =
  'Client credentials (`client_id`, `client_secret`, or HTTP Basic) and `scope` are accepted and ignored: there are only public clients. The response is never cached (`Cache-Control: no-store`, RFC 6749 §5.1). Errors are problem details served as `application/json` with an RFC 6749 §5.2 `error` code; a form missing a parameter is `400 invalid_request`, the same JSON body a `422`.';
const REFRESH_NOTE =
  'The token presented is spent; the answer carries its successor. A spent token presented again within `REFRESH_REUSE_INTERVAL` (10 s) of its rotation — concurrent tabs, a retry after a lost answer — gets the session’s current refresh token again, with a fresh access token; later, it ends the whole session (reuse detection, RFC 9700 §4.14). Any string that is not a live refresh token of ours, whatever its length, is `401 invalid_grant`.';

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly refreshCookie: RefreshTokenCookie,
    private readonly codeGrant: AuthorizationCodeGrantService,
  ) {}

  @Public()
  @UseGuards(IpRateLimitGuard)
  @Post('signup')
  @ApiOperation({ summary: 'Create an account' })
  @ApiCreatedResponse({ type: SignupResponseDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    { kind: 'usernameTaken', detail: 'Username already taken' },
    { kind: 'emailTaken', detail: 'Email already registered' },
    { kind: 'validation', detail: 'password must be at least 8 characters long.' },
    { kind: 'tooManyRequests', detail: 'Too many requests from your address; try again in 42 s.' },
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
  )
  async signup(@Body() dto: SignupDto, @Client() client: ClientInfo): Promise<SignupResponseDto> {
    const user = await this.auth.signup(dto, client);
    return { message: 'User registered successfully', user: toUserDto(user) };
  }

  @Public()
  @UseGuards(
    IpRateLimitGuard,
    BrowserOriginGuard,
    GrantTypeGuard('password', 'refresh_token', 'authorization_code'),
    LocalAuthGuard,
  )
  // The device cookie's interceptor, inner, still sees the refresh token the outer one may remove.
  @UseInterceptors(RefreshTokenCookieInterceptor, DeviceCookieInterceptor)
  @LoginRoute()
  @Post('login')
  @HttpCode(200)
  @OAuthEndpoint()
  @ApiOperation({
    summary:
      'The token endpoint: log in (password grant), exchange a provider sign-in’s code, or refresh (RFC 6749 §3.2)',
    description: `Takes the tutorial's JSON body (\`email\` may be sent and is ignored) or the OAuth2 form \`grant_type=password&username=…&password=…\`: starts a session and answers an access token and the first refresh token. With \`grant_type=refresh_token&refresh_token=…\` (form or JSON) it answers exactly what /refresh answers, so OAuth2 clients need only this one URL (a browser holding the refresh token cookie refreshes at /refresh: the cookie is only sent there). With \`grant_type=authorization_code&code=…&code_verifier=…&redirect_uri=…\` (form or JSON) it exchanges the code that a sign-in through an identity provider sent to the app (see /authorize; PKCE S256, RFC 7636) for the usual token response, whose access token carries \`amr\` \`["fed"]\` and \`idp\`, or \`403 mfa_required\` with an \`mfa_token\` for /login/mfa. ${REFRESH_NOTE} ${COOKIE_NOTE} ${TOKEN_ENDPOINT_NOTE}`,
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiExtraModels(LoginDto, RefreshDto, AuthorizationCodeDto)
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(LoginDto) },
        { $ref: getSchemaPath(RefreshDto) },
        { $ref: getSchemaPath(AuthorizationCodeDto) },
      ],
    },
  })
  @ApiOkResponse({
    type: TokenResponseDto,
    headers: {
      'Set-Cookie': {
        ...DEVICE_COOKIE_HEADER['Set-Cookie'],
        description: `${DEVICE_COOKIE_HEADER['Set-Cookie'].description} ${REFRESH_COOKIE_HEADER.description}`,
      },
    },
  })
  @ApiOAuthErrorResponses(
    ...BAD_BODY,
    {
      kind: 'unsupportedGrantType',
      detail: 'Only grant_type=password, refresh_token or authorization_code is accepted here.',
      error: 'unsupported_grant_type',
    },
    { kind: 'invalidRequest', detail: 'username must not be empty.' },
    {
      kind: 'invalidAuthorizationCode',
      detail:
        'The authorization code is invalid, expired or used, or the code_verifier or redirect_uri does not match.',
      error: 'invalid_grant',
      description:
        'The authorization code grant: an unknown, expired or already presented code (a second presentation also ends the session or `mfa_token` the first produced), a wrong `code_verifier`, or another `redirect_uri` (RFC 6749 §5.2)',
    },
    {
      kind: 'invalidCredentials',
      detail: 'Invalid username or password',
      error: 'invalid_grant',
      description:
        'Wrong username or password; with the refresh grant, an invalid refresh token (`invalid_grant` either way)',
    },
    { kind: 'validation', detail: 'username must not be empty.' },
    ORIGIN_NOT_ALLOWED,
    {
      kind: 'mfaRequired',
      detail: 'A second factor is required: send a code to /login/mfa.',
      error: 'mfa_required',
      description:
        'Right password, two-factor login on: the answer carries an `mfa_token` for `/login/mfa` (five minutes, single use)',
    },
    {
      kind: 'emailNotVerified',
      detail:
        'Confirm your email address first: follow the link we sent you (a fresh one is on its way).',
      error: 'email_not_verified',
      description:
        'With `EMAIL_VERIFICATION=required`: the password is right but the address is not verified yet (a fresh link is sent)',
    },
    {
      kind: 'tooManyRequests',
      detail: 'Too many failed logins; try again later.',
      description:
        'Too many failed logins for the account from this client (address or device cookie), from clients the account does not know, or from this address across accounts — one body whichever it was, `Retry-After` saying when to try again; or too many requests from the address',
    },
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
  )
  async login(
    @CurrentUser() user: User | undefined,
    @Req() request: FastifyRequest & { user?: User },
    @Client() client: ClientInfo,
  ): Promise<TokenResponseDto> {
    if (user) return this.auth.login(user, client);
    if (request.body instanceof AuthorizationCodeDto) {
      const exchanged = await this.codeGrant.exchange(request.body, client);
      // Who signed in, where Passport puts it: the device-cookie interceptor reads it.
      request.user = exchanged.user;
      return exchanged.tokens;
    }
    // The refresh grant: LocalAuthGuard let it through with its body validated as a RefreshDto.
    return this.auth.refresh((request.body as RefreshDto).refresh_token, client);
  }

  @Public()
  @UseGuards(IpRateLimitGuard, BrowserOriginGuard, FormParametersGuard)
  @Post('login/mfa')
  @HttpCode(200)
  @OAuthEndpoint()
  // A login completed here is a successful login: it sets the device cookie as /login does.
  @UseInterceptors(RefreshTokenCookieInterceptor, DeviceCookieInterceptor)
  @ApiTags('mfa')
  @ApiOperation({
    summary: 'The second step of a login with two-factor login on',
    description: `After \`/login\` answered \`403 mfa_required\` with an \`mfa_token\`: send it with the 6-digit \`code\` from the authenticator app, or a \`recovery_code\` (each works once). Answers the usual token response; access tokens carry \`amr\` \`["pwd","otp"]\` (or \`["pwd","mfa"]\` after a recovery code). A wrong code is \`401 invalid-mfa-code\` and the token stays usable until its fifth wrong code; a dead, used or expired token is \`401 invalid-mfa-token\`: log in again. ${COOKIE_NOTE} ${TOKEN_ENDPOINT_NOTE}`,
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: MfaLoginDto })
  @ApiOkResponse({ type: TokenResponseDto, headers: { 'Set-Cookie': REFRESH_COOKIE_HEADER } })
  @ApiOAuthErrorResponses(
    ...BAD_BODY,
    { kind: 'invalidRequest', detail: 'mfa_token must not be empty.' },
    { kind: 'invalidMfaCode', detail: 'Invalid code', error: 'invalid_grant' },
    {
      kind: 'invalidMfaToken',
      detail: 'The MFA token is invalid or expired: log in again.',
      error: 'invalid_grant',
    },
    { kind: 'validation', detail: 'code or recovery_code is required.' },
    ORIGIN_NOT_ALLOWED,
    {
      kind: 'tooManyRequests',
      detail: 'Too many failed logins for this account; try again in 840 s.',
      description: 'Too many failed logins (wrong codes count), or requests from the address',
    },
  )
  async loginMfa(
    @Body() dto: MfaLoginDto,
    @Req() request: FastifyRequest & { user?: User },
    @Client() client: ClientInfo,
  ): Promise<TokenResponseDto> {
    const proof =
      dto.code !== undefined ? { code: dto.code } : { recoveryCode: dto.recovery_code ?? '' };
    const { user, tokens } = await this.auth.completeMfaLogin(dto.mfa_token, proof, client);
    // Who logged in, where Passport puts it on /login: the device-cookie interceptor reads it.
    request.user = user;
    return tokens;
  }

  @Public()
  @UseGuards(
    IpRateLimitGuard,
    BrowserOriginGuard,
    GrantTypeGuard('refresh_token'),
    RefreshCookieGuard,
  )
  @UseInterceptors(RefreshTokenCookieInterceptor)
  @Post('refresh')
  @HttpCode(200)
  @OAuthEndpoint()
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair (RFC 6749 §6), with rotation',
    description: `Takes JSON \`{"refresh_token": …}\` or the OAuth2 form \`grant_type=refresh_token&refresh_token=…\` (the same grant is also taken by the token endpoint, /login). With \`REFRESH_TOKEN_COOKIE=on\`, a request with no \`refresh_token\` in its body uses the refresh token cookie, and must then come with an \`Origin\` that is ours or in \`CORS_ORIGINS\`. ${REFRESH_NOTE} ${COOKIE_NOTE} ${TOKEN_ENDPOINT_NOTE}`,
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: RefreshDto, required: false })
  @ApiOkResponse({ type: TokenResponseDto, headers: { 'Set-Cookie': REFRESH_COOKIE_HEADER } })
  @ApiOAuthErrorResponses(
    ...BAD_BODY,
    {
      kind: 'unsupportedGrantType',
      detail: 'Only grant_type=refresh_token is accepted here.',
      error: 'unsupported_grant_type',
    },
    { kind: 'invalidRequest', detail: 'refresh_token must not be empty.' },
    {
      kind: 'invalidRefreshToken',
      detail: 'Invalid refresh token',
      error: 'invalid_grant',
      description:
        'Unknown, expired, spent beyond the reuse interval (the session is ended) or revoked refresh token, of any length',
    },
    { kind: 'validation', detail: 'refresh_token must not be empty.' },
    {
      ...ORIGIN_NOT_ALLOWED,
      description:
        'With `REFRESH_TOKEN_COOKIE=on`: an `Origin` that is neither ours nor in `CORS_ORIGINS`, or a refresh by cookie with no `Origin` at all (cross-site request forgery)',
    },
    { kind: 'tooManyRequests', detail: 'Too many requests from your address; try again in 42 s.' },
  )
  refresh(@Body() dto: RefreshDto, @Client() client: ClientInfo): Promise<TokenResponseDto> {
    return this.auth.refresh(dto.refresh_token, client);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiBearer()
  @ApiOperation({
    summary: 'End this session',
    description:
      'The access token is refused from now on (not when it expires) and the session’s refresh token is dead. Send `refresh_token` to end the session it belongs to as well.',
  })
  @ApiBody({ type: LogoutDto, required: false })
  @ApiNoContentResponse({
    description: 'Logged out',
    headers: {
      'Set-Cookie': {
        description:
          'With `REFRESH_TOKEN_COOKIE=on`: an expired refresh token cookie (`refresh_token=; Max-Age=0; Path=/refresh; …`), so the browser drops its own.',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblemResponses(...BAD_BODY, { kind: 'validation' })
  async logout(
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
    @Body() dto: LogoutDto = new LogoutDto(),
  ): Promise<void> {
    await this.auth.logout(caller.id, caller.sessionId, client, dto.refresh_token);
    if (this.refreshCookie.enabled) this.refreshCookie.clear(reply);
  }

  @Post('logout/all')
  @HttpCode(204)
  @ApiBearer()
  @ApiOperation({ summary: 'End every session of the caller, this one included' })
  @ApiNoContentResponse({ description: 'Every session ended' })
  async logoutAll(
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<void> {
    await this.auth.logoutAll(caller.id, caller.sessionId, client);
    if (this.refreshCookie.enabled) this.refreshCookie.clear(reply);
  }
}
