import { Controller, Get, Param, Query, Req, Res, UseGuards } from '@nestjs/common';
import { ApiFoundResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { IpRateLimitGuard } from '../rate-limit/ip-rate-limit.guard.js';
import { setFlowCookie } from './browser/flow-cookie.js';
import {
  FLOW_COOKIE,
  FederatedFlowService,
  type AuthorizeQuery,
} from './federated-flow.service.js';

const LOCATION_HEADER = {
  Location: { description: 'Where the browser goes next', schema: { type: 'string' } },
};
const TOO_MANY = {
  kind: 'tooManyRequests',
  detail: 'Too many requests from your address; try again in 42 s.',
} as const;

/**
 * The browser's side of a sign-in through an OpenID provider (issue 25, "The flow" 1–3): the
 * authorization endpoint apps send the browser to, and the provider's redirect back.
 */
@ApiTags('oauth')
@Public()
@Controller()
export class AuthorizeController {
  constructor(private readonly flows: FederatedFlowService) {}

  @UseGuards(IpRateLimitGuard)
  @Get('authorize')
  @ApiOperation({
    summary: 'Sign in through an identity provider: the authorization endpoint (code + PKCE)',
    description:
      'The app sends the browser here with its PKCE challenge; we send it to the provider, and after the provider’s callback back to `redirect_uri` with `code` (single use, 60 s, bound to the challenge and `redirect_uri`) and the app’s `state`, or with `error` (`invalid_request`, `unsupported_response_type`, `access_denied`, `account_exists`, `temporarily_unavailable`, `server_error`), `error_description` and `state`. The app exchanges the code at `POST /login` with `grant_type=authorization_code`. An unknown provider or a `redirect_uri` not in `LOGIN_REDIRECT_URIS` answers 400 here and never redirects (RFC 6749 §4.1.2.1). Sets the flow cookie (`oidc_flow=…; Max-Age=600; Path=/oauth/<id>/callback; HttpOnly; SameSite=Lax`, `Secure` when PUBLIC_URL is https).',
  })
  @ApiQuery({
    name: 'provider',
    description: 'A provider id of `GET /oauth/providers`.',
    example: 'acme',
  })
  @ApiQuery({ name: 'redirect_uri', description: 'Exactly one of `LOGIN_REDIRECT_URIS`.' })
  @ApiQuery({
    name: 'code_challenge',
    description: 'BASE64URL(SHA-256(code_verifier)) (RFC 7636).',
  })
  @ApiQuery({ name: 'code_challenge_method', enum: ['S256'] })
  @ApiQuery({ name: 'state', required: false, description: 'The app’s; echoed back.' })
  @ApiQuery({ name: 'response_type', required: false, enum: ['code'] })
  @ApiQuery({
    name: 'prompt',
    required: false,
    description:
      'Passed on to the provider (OpenID Connect Core §3.1.2.1): `login`, `consent`, `select_account`, space-separated. `login` makes the provider ask the person again even when they are signed in there — for an account without a password after `403 reauthentication-required`. Any other value (`none` too) goes back to the app as `invalid_request`.',
    example: 'login',
  })
  @ApiQuery({ name: 'client_id', required: false, description: 'Accepted and ignored.' })
  @ApiFoundResponse({
    description:
      'To the provider’s authorization endpoint, or back to `redirect_uri` with an `error`.',
    headers: LOCATION_HEADER,
  })
  @ApiProblemResponses(
    {
      kind: 'unknownProvider',
      detail: 'provider must name one of the identity providers of GET /oauth/providers.',
    },
    {
      kind: 'redirectUriNotAllowed',
      detail:
        'redirect_uri must be one of the URIs this server allows apps to be sent back to (LOGIN_REDIRECT_URIS).',
    },
    TOO_MANY,
  )
  async authorize(@Query() query: AuthorizeQuery, @Res() reply: FastifyReply): Promise<void> {
    const outcome = await this.flows.authorize(query);
    if (outcome.cookie) setFlowCookie(reply, outcome.cookie);
    redirect(reply, outcome.redirect);
  }

  @UseGuards(IpRateLimitGuard)
  @Get('oauth/:provider/callback')
  @ApiOperation({
    summary: 'The identity provider’s redirect back (the redirect URI registered there)',
    description:
      'Needs the flow cookie set by `/authorize`, the provider’s `state` and the stored flow to agree; the flow is spent whatever happens. Sends the browser to the app’s `redirect_uri` with `code` and `state`, or `error`, `error_description` and `state`. Without a matching flow there is nowhere safe to send the browser: 400.',
  })
  @ApiParam({ name: 'provider', example: 'acme' })
  @ApiFoundResponse({
    description: 'Back to the app’s `redirect_uri`, with `code` or `error`.',
    headers: LOCATION_HEADER,
  })
  @ApiProblemResponses(
    {
      kind: 'invalidSignInFlow',
      detail:
        'This sign-in is unknown or expired (its cookie is missing or stale): start again from the app.',
    },
    {
      kind: 'uriTooLong',
      detail: 'A part of the address is longer than this service accepts.',
      description: 'The provider id is over 100 characters',
    },
    TOO_MANY,
  )
  async callback(
    @Param('provider') providerId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Client() client: ClientInfo,
  ): Promise<void> {
    const cookie = request.cookies[FLOW_COOKIE];
    // The cookie is single use whatever follows: the row it names is taken below. Only on a
    // configured provider's path: the id comes from the URL and becomes the cookie's Path.
    if (this.flows.isProvider(providerId)) {
      void reply.clearCookie(FLOW_COOKIE, {
        httpOnly: true,
        sameSite: 'lax',
        secure: this.flows.secureCookies,
        path: this.flows.callbackPath(providerId),
      });
    }
    const params = new URL(request.url, 'http://callback.invalid').searchParams;
    redirect(reply, await this.flows.callback(providerId, params, cookie || undefined, client));
  }
}

function redirect(reply: FastifyReply, location: string): void {
  // The Location may carry our code: no cache may keep it (RFC 6749 §5.1's spirit).
  void reply.code(302).header('cache-control', 'no-store').header('location', location).send();
}
