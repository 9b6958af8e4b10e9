import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBasicAuth,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Client, type ClientInfo } from '../../common/decorators/client-info.decorator.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { BAD_BODY } from '../../common/problems/bad-body.problems.js';
import { ApiOAuthErrorResponses } from '../../common/problems/api-problem-responses.decorator.js';
import { IpRateLimitGuard } from '../../rate-limit/ip-rate-limit.guard.js';
import { FormParametersGuard } from '../guards/grant-type.guard.js';
import { IntrospectionResponseDto } from './dto/introspection-response.dto.js';
import { TokenRequestDto } from './dto/token-request.dto.js';
import { IntrospectionClientGuard } from './introspection-client.guard.js';
import { OAuthEndpoint } from '../../common/decorators/oauth-endpoint.decorator.js';
import { OAuthService } from './oauth.service.js';

const BAD_TOKEN_BODY = [
  ...BAD_BODY,
  { kind: 'invalidRequest', detail: 'token must not be empty.' },
  { kind: 'validation', detail: 'token must be a string.' },
] as const;

@ApiTags('oauth')
@Controller()
export class OAuthController {
  constructor(private readonly oauth: OAuthService) {}

  @Public()
  @UseGuards(IpRateLimitGuard, FormParametersGuard)
  @Post('revoke')
  @HttpCode(200)
  @OAuthEndpoint()
  @ApiOperation({
    summary: 'Revoke a token (RFC 7009)',
    description:
      'Takes the form `token=…&token_type_hint=…` (or the same in JSON). Revoking a refresh token or an access token ends its session: the session’s access tokens are refused at once and its refresh token is dead, as after /logout. Answers `200` with an empty body for every token — live, unknown, expired or malformed — so it never tells whether a token was valid. Client credentials, if sent, are accepted and ignored (public clients).',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({ description: 'Revoked, or nothing to revoke: the answer is the same.' })
  @ApiOAuthErrorResponses(...BAD_TOKEN_BODY, {
    kind: 'tooManyRequests',
    detail: 'Too many requests from your address; try again in 42 s.',
  })
  async revoke(@Body() dto: TokenRequestDto, @Client() client: ClientInfo): Promise<void> {
    await this.oauth.revoke(dto.token, dto.token_type_hint, client);
  }

  @Public()
  @UseGuards(IntrospectionClientGuard, FormParametersGuard)
  @Post('introspect')
  @HttpCode(200)
  @OAuthEndpoint()
  @ApiBasicAuth('introspection')
  @ApiOperation({
    summary: 'Introspect a token (RFC 7662), for resource servers',
    description:
      'For the resource servers listed in `INTROSPECTION_CLIENTS`, authenticating with HTTP Basic. A live access or refresh token answers its claims; anything else — expired, revoked (logout, password change, reuse detection, disabled user), already rotated, unknown or malformed — answers exactly `{"active": false}`. Reflects a logout on any instance within a second, so a resource server that cannot wait for a token to expire learns of it here.',
  })
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({ type: IntrospectionResponseDto })
  @ApiOAuthErrorResponses(...BAD_TOKEN_BODY, {
    kind: 'invalidClient',
    detail: 'Client authentication failed.',
    description: 'No, unknown or wrong client credentials (or no client is configured)',
  })
  introspect(@Body() dto: TokenRequestDto): Promise<IntrospectionResponseDto> {
    return this.oauth.introspect(dto.token, dto.token_type_hint);
  }
}
