import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { setFlowCookie } from '../auth/browser/flow-cookie.js';
import { ApiBearer } from '../auth/guards/api-bearer.decorator.js';
import { REAUTHENTICATION_REQUIRED } from '../auth/reauthentication.problems.js';
import { IdentityLinkService } from '../auth/identity-link.service.js';
import { SignInMethodsService } from '../auth/sign-in-methods/sign-in-methods.service.js';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { BAD_BODY } from '../common/problems/bad-body.problems.js';
import { IdentityDto, IdentityListDto, toIdentityDto } from '../identities/dto/identity.dto.js';
import { secondFactorOf } from '../mfa/mfa.service.js';
import { IpRateLimitGuard } from '../rate-limit/ip-rate-limit.guard.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { AccountService } from './account.service.js';
import {
  AuthorizationUrlDto,
  BeginIdentityLinkDto,
  CompleteIdentityLinkDto,
} from './dto/identity-link.dto.js';
import { PATH_ID_PROBLEMS } from './path-id.problems.js';

const UNKNOWN_PROVIDER = {
  kind: 'unknownProvider',
  detail: 'provider must name one of the identity providers of GET /oauth/providers.',
  description: 'The provider is not (or no longer) in `OIDC_PROVIDERS`',
} as const;

/** The providers' identities linked to the caller's account (issue 25): list, link, unlink. */
@ApiTags('account')
@ApiBearer()
@Controller('me/identities')
export class IdentitiesController {
  constructor(
    private readonly account: AccountService,
    private readonly signInMethods: SignInMethodsService,
    private readonly links: IdentityLinkService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The identities at sign-in providers linked to the caller’s account',
    description:
      'Oldest first; those of providers no longer configured too (they sign nobody in, and can be unlinked).',
  })
  @ApiOkResponse({ type: IdentityListDto })
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<IdentityListDto> {
    const user = await this.account.profile(caller);
    const identities = await this.signInMethods.identitiesOf(user.id);
    return { identities: identities.map(toIdentityDto) };
  }

  @UseGuards(IpRateLimitGuard)
  // `:id`, not `:provider`: DELETE /me/identities/{id} shares the path, and OpenAPI allows one
  // parameter name per templated path (no-identical-paths). Here the id is a provider's.
  @Post(':id')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start linking a provider to the caller’s account',
    description:
      'Needs the current password (an account without one may leave it out while its sign-in is recent, `REAUTH_MAX_AGE`) and, when two-factor login is on, a `code`, as other account changes do. Answers the provider’s `authorization_url` and sets the flow cookie (`oidc_flow=…; Max-Age=600; Path=/oauth/<id>/callback; HttpOnly; SameSite=Lax`, `Secure` when PUBLIC_URL is https) as `GET /authorize` does: send the browser to the URL (a navigation), and the provider’s callback sends it back to `redirect_uri` with `code` (single use, 60 s) or `error` (`access_denied`, `temporarily_unavailable`, `server_error`). The browser keeps the cookie only from a call made with credentials on the API’s own site (a `SameSite=Lax` cookie is not stored from a cross-site fetch). Nothing is linked until `POST /me/identities/{provider}/complete` redeems the code with the same account’s token.',
  })
  @ApiParam({
    name: 'id',
    description: 'The provider’s id (of `GET /oauth/providers`).',
    example: 'acme',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiOkResponse({ type: AuthorizationUrlDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    UNKNOWN_PROVIDER,
    {
      kind: 'redirectUriNotAllowed',
      detail:
        'redirect_uri must be one of the URIs this server allows apps to be sent back to (LOGIN_REDIRECT_URIS).',
    },
    { kind: 'wrongPassword', detail: 'Current password is incorrect' },
    REAUTHENTICATION_REQUIRED,
    {
      kind: 'wrongMfaCode',
      detail: 'The code is not right.',
      description: 'Two-factor login is on and `code` is not a right code or unused recovery code',
    },
    {
      kind: 'validation',
      detail: 'code_challenge must be the base64url SHA-256 of a PKCE code verifier (RFC 7636).',
      description:
        'A field is invalid, or two-factor login is on and `code` is missing (`code is required: two-factor login is on for this account.`)',
    },
    {
      kind: 'tooManyRequests',
      detail: 'Too many wrong passwords or codes; try again later.',
      description:
        'The failed-login counters of `/login` are spent for the account from this client, two checks of the account are already under way (`Retry-After: 1`), or `RATE_LIMIT_PER_IP` is spent',
    },
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
    {
      kind: 'providerUnavailable',
      detail: 'The identity provider cannot be reached right now; try again later.',
    },
    ...PATH_ID_PROBLEMS,
  )
  async beginLink(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') provider: string,
    @Body() dto: BeginIdentityLinkDto,
    @Client() client: ClientInfo,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AuthorizationUrlDto> {
    const user = await this.account.profile(caller);
    const started = await this.links.begin(
      user,
      provider,
      { redirectUri: dto.redirect_uri, codeChallenge: dto.code_challenge },
      {
        // Accounts without a password leave it out: the recent-sign-in rule lives in ReauthenticationService.
        password: dto.current_password,
        secondFactor: dto.code === undefined ? undefined : secondFactorOf(dto.code),
      },
      client,
      caller.sessionId,
    );
    // The app fetched this answer; the browser it then sends to the provider brings the cookie back.
    setFlowCookie(reply, started.cookie);
    void reply.header('cache-control', 'no-store');
    return { authorization_url: started.authorizationUrl };
  }

  @Post(':provider/complete')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Finish linking a provider: redeem the code with the PKCE verifier',
    description:
      'The `code` from the redirect URI (single use, 60 s; any presentation spends it) and the `code_verifier` of the challenge sent to `POST /me/identities/{provider}`, with the token of the account that started it. A code of another account, another provider or a sign-in, a wrong verifier, a used or expired code all answer the same `400`. An identity already linked, to this account or another, answers `409` and is never moved. Linked: the owner is told by mail; the account’s address and its verification do not change.',
  })
  @ApiParam({
    name: 'provider',
    description: 'A provider id of `GET /oauth/providers`.',
    example: 'acme',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiCreatedResponse({ type: IdentityDto, description: 'The identity linked' })
  @ApiProblemResponses(
    ...BAD_BODY,
    UNKNOWN_PROVIDER,
    {
      kind: 'invalidLinkCode',
      detail:
        'The link code is invalid, expired or used, or was not issued to this account, this provider or this code_verifier: start linking again.',
    },
    {
      kind: 'identityAlreadyLinked',
      detail: 'This identity at the provider is already linked to your account.',
    },
    {
      kind: 'identityLinkedElsewhere',
      detail:
        'This identity at the provider is linked to another account: sign in with it and unlink it there first.',
    },
    { kind: 'validation', detail: 'code_verifier must not be empty.' },
    ...PATH_ID_PROBLEMS,
  )
  async completeLink(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('provider') provider: string,
    @Body() dto: CompleteIdentityLinkDto,
    @Client() client: ClientInfo,
  ): Promise<IdentityDto> {
    const user = await this.account.profile(caller);
    const identity = await this.links.complete(
      user,
      provider,
      { code: dto.code, codeVerifier: dto.code_verifier },
      client,
      caller.sessionId,
    );
    return toIdentityDto(identity);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Unlink an identity',
    description:
      'The provider account no longer signs in to this one. Refused (`409`) when it is the account’s last way to sign in (see `sign_in_methods` of `GET /me`): set a password (`/password/forgot`) or link another provider first. Every other session of the account ends (any could have been opened through it); this one stays. The owner is told by mail. No current password is asked: unlinking gives nobody a way in, and never takes the last one away.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Identity unlinked' })
  @ApiProblemResponses(
    { kind: 'notFound', detail: 'No such identity.' },
    {
      kind: 'lastSignInMethod',
      detail:
        'This is the account’s last way to sign in: set a password or link another provider first.',
    },
    ...PATH_ID_PROBLEMS,
  )
  async unlink(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    const user = await this.account.profile(caller);
    await this.signInMethods.unlink(user, id, { id: user.id, client }, caller.sessionId);
  }
}
