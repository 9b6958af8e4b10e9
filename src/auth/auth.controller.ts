import { Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
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
import type { FastifyRequest } from 'fastify';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import {
  ApiOAuthErrorResponses,
  ApiProblemResponses,
} from '../common/problems/api-problem-responses.decorator.js';
import { toUserDto } from '../users/dto/user.dto.js';
import type { User } from '../users/user.js';
import { AuthService } from './auth.service.js';
import { LoginDto } from './dto/login.dto.js';
import { LogoutDto } from './dto/logout.dto.js';
import { RefreshDto } from './dto/refresh.dto.js';
import { SignupResponseDto } from './dto/signup-response.dto.js';
import { SignupDto } from './dto/signup.dto.js';
import { TokenResponseDto } from './dto/token-response.dto.js';
import { ApiBearer } from './guards/api-bearer.decorator.js';
import { IpRateLimitGuard } from '../rate-limit/ip-rate-limit.guard.js';
import { GrantTypeGuard } from './guards/grant-type.guard.js';
import { LocalAuthGuard } from './guards/local-auth.guard.js';
import { OAuthEndpoint } from './oauth/oauth-endpoint.decorator.js';
import type { AuthenticatedUser } from './tokens/access-token.claims.js';

const BAD_BODY = [
  { kind: 'malformedRequest', detail: 'The request body could not be parsed.' },
  { kind: 'payloadTooLarge' },
  { kind: 'unsupportedMediaType' },
] as const;
const TOKEN_ENDPOINT_NOTE =
  'Client credentials (`client_id`, `client_secret`, or HTTP Basic) and `scope` are accepted and ignored: there are only public clients. The response is never cached (`Cache-Control: no-store`, RFC 6749 §5.1). Errors are problem details served as `application/json` with an RFC 6749 §5.2 `error` code; a form missing a parameter is `400 invalid_request`, the same JSON body a `422`.';
const REFRESH_NOTE =
  'The token presented is spent; the answer carries its successor. Presenting a spent token again ends the whole session (reuse detection, RFC 9700 §4.14). Any string that is not a live refresh token of ours, whatever its length, is `401 invalid_grant`.';
const OAUTH_BAD_BODY = [
  { kind: 'malformedRequest', detail: 'The request body could not be parsed.' },
  { kind: 'payloadTooLarge' },
  { kind: 'unsupportedMediaType' },
] as const;

@ApiTags('auth')
@Controller()
export class AuthController {
  constructor(private readonly auth: AuthService) {}

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
  @UseGuards(IpRateLimitGuard, GrantTypeGuard('password', 'refresh_token'), LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  @OAuthEndpoint()
  @ApiOperation({
    summary: 'The token endpoint: log in (password grant) or refresh (RFC 6749 §3.2)',
    description: `Takes the tutorial's JSON body (\`email\` may be sent and is ignored) or the OAuth2 form \`grant_type=password&username=…&password=…\`: starts a session and answers an access token and the first refresh token. With \`grant_type=refresh_token&refresh_token=…\` (form or JSON) it answers exactly what /refresh answers, so OAuth2 clients need only this one URL. ${REFRESH_NOTE} ${TOKEN_ENDPOINT_NOTE}`,
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiExtraModels(LoginDto, RefreshDto)
  @ApiBody({
    schema: { oneOf: [{ $ref: getSchemaPath(LoginDto) }, { $ref: getSchemaPath(RefreshDto) }] },
  })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiOAuthErrorResponses(
    ...OAUTH_BAD_BODY,
    {
      kind: 'unsupportedGrantType',
      detail: 'Only grant_type=password or refresh_token is accepted here.',
      error: 'unsupported_grant_type',
    },
    { kind: 'invalidRequest', detail: 'username must not be empty.' },
    {
      kind: 'invalidCredentials',
      detail: 'Invalid username or password',
      error: 'invalid_grant',
      description:
        'Wrong username or password; with the refresh grant, an invalid refresh token (`invalid_grant` either way)',
    },
    { kind: 'validation', detail: 'username must not be empty.' },
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
      detail: 'Too many failed logins for this account; try again in 840 s.',
      description: 'Too many failed logins for the account, or requests from the address',
    },
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
  )
  login(
    @CurrentUser() user: User | undefined,
    @Req() request: FastifyRequest,
    @Client() client: ClientInfo,
  ): Promise<TokenResponseDto> {
    if (user) return this.auth.login(user, client);
    // The refresh grant: LocalAuthGuard let it through with its body validated as a RefreshDto.
    return this.auth.refresh((request.body as RefreshDto).refresh_token, client);
  }

  @Public()
  @UseGuards(IpRateLimitGuard, GrantTypeGuard('refresh_token'))
  @Post('refresh')
  @HttpCode(200)
  @OAuthEndpoint()
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair (RFC 6749 §6), with rotation',
    description: `Takes JSON \`{"refresh_token": …}\` or the OAuth2 form \`grant_type=refresh_token&refresh_token=…\` (the same grant is also taken by the token endpoint, /login). ${REFRESH_NOTE} ${TOKEN_ENDPOINT_NOTE}`,
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: RefreshDto })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiOAuthErrorResponses(
    ...OAUTH_BAD_BODY,
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
        'Unknown, expired, spent (reuse: the session is ended) or revoked refresh token, of any length',
    },
    { kind: 'validation', detail: 'refresh_token must not be empty.' },
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
  @ApiNoContentResponse({ description: 'Logged out' })
  @ApiProblemResponses(...BAD_BODY, { kind: 'validation' })
  async logout(
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
    @Body() dto: LogoutDto = new LogoutDto(),
  ): Promise<void> {
    await this.auth.logout(caller.id, caller.sessionId, client, dto.refresh_token);
  }

  @Post('logout/all')
  @HttpCode(204)
  @ApiBearer()
  @ApiOperation({ summary: 'End every session of the caller, this one included' })
  @ApiNoContentResponse({ description: 'Every session ended' })
  async logoutAll(
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.auth.logoutAll(caller.id, caller.sessionId, client);
  }
}
