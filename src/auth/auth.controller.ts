import { Body, Controller, Header, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
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
import type { AuthenticatedUser } from './tokens/access-token.claims.js';

const BAD_BODY = [
  { kind: 'malformedRequest', detail: 'The request body could not be parsed.' },
  { kind: 'payloadTooLarge' },
  { kind: 'unsupportedMediaType' },
] as const;
const TOKEN_ENDPOINT_NOTE =
  'Client credentials (`client_id`, `client_secret`, or HTTP Basic) and `scope` are accepted and ignored: there are only public clients. The response is never cached (`Cache-Control: no-store`, RFC 6749 §5.1).';

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
  @UseGuards(IpRateLimitGuard, GrantTypeGuard('password'), LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  // RFC 6749 §5.1: token responses must not be cached.
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'Log in: JSON, or the OAuth2 password grant (RFC 6749 §4.3)',
    description: `Takes the tutorial's JSON body (\`email\` may be sent and is ignored) or the OAuth2 form \`grant_type=password&username=…&password=…\`. Starts a session: answers an access token and the first refresh token. ${TOKEN_ENDPOINT_NOTE}`,
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: LoginDto })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    { kind: 'unsupportedGrantType', detail: 'Only grant_type=password is accepted here.' },
    { kind: 'invalidRequest', detail: 'username was sent more than once.' },
    { kind: 'invalidCredentials', detail: 'Invalid username or password' },
    { kind: 'validation', detail: 'username must not be empty.' },
    {
      kind: 'tooManyRequests',
      detail: 'Too many failed logins for this account; try again in 840 s.',
      description: 'Too many failed logins for the account, or requests from the address',
    },
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
  )
  login(@CurrentUser() user: User, @Client() client: ClientInfo): Promise<TokenResponseDto> {
    return this.auth.login(user, client);
  }

  @Public()
  @UseGuards(IpRateLimitGuard, GrantTypeGuard('refresh_token'))
  @Post('refresh')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair (RFC 6749 §6), with rotation',
    description: `Takes JSON \`{"refresh_token": …}\` or the OAuth2 form \`grant_type=refresh_token&refresh_token=…\`. The token presented is spent; the answer carries its successor. Presenting a spent token again ends the whole session (reuse detection, RFC 9700 §4.14). ${TOKEN_ENDPOINT_NOTE}`,
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiBody({ type: RefreshDto })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    { kind: 'unsupportedGrantType', detail: 'Only grant_type=refresh_token is accepted here.' },
    { kind: 'invalidRequest', detail: 'refresh_token was sent more than once.' },
    {
      kind: 'invalidRefreshToken',
      detail: 'Invalid refresh token',
      description: 'Unknown, expired, spent (reuse: the session is ended) or revoked refresh token',
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
