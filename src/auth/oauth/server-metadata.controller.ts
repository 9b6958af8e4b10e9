import { Controller, Get, Header } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { AppConfig } from '../../config/app-config.js';
import { Public } from '../../common/decorators/public.decorator.js';
import { IntrospectionClients } from './introspection-clients.js';

class ServerMetadataDto {
  @ApiProperty({ description: 'PUBLIC_URL.', example: 'https://auth.example.com' })
  issuer: string;

  @ApiProperty({ example: 'https://auth.example.com/login' })
  token_endpoint: string;

  @ApiProperty({ example: ['none'] })
  token_endpoint_auth_methods_supported: string[];

  @ApiPropertyOptional({
    description:
      'GET /authorize (sign-in through an identity provider, code + PKCE); only when OIDC_PROVIDERS is set.',
    example: 'https://auth.example.com/authorize',
  })
  authorization_endpoint?: string;

  @ApiProperty({
    description: '`authorization_code` only when OIDC_PROVIDERS is set.',
    example: ['password', 'refresh_token', 'authorization_code'],
  })
  grant_types_supported: string[];

  @ApiProperty({
    description: '`["code"]` when OIDC_PROVIDERS is set; empty without an authorization endpoint.',
    example: ['code'],
  })
  response_types_supported: string[];

  @ApiPropertyOptional({
    description: 'PKCE (RFC 7636) at the authorization endpoint: S256 only.',
    example: ['S256'],
  })
  code_challenge_methods_supported?: string[];

  @ApiProperty({ example: 'https://auth.example.com/.well-known/jwks.json' })
  jwks_uri: string;

  @ApiProperty({ example: 'https://auth.example.com/revoke' })
  revocation_endpoint: string;

  @ApiProperty({ example: ['none'] })
  revocation_endpoint_auth_methods_supported: string[];

  @ApiPropertyOptional({
    description: 'Only when INTROSPECTION_CLIENTS is set.',
    example: 'https://auth.example.com/introspect',
  })
  introspection_endpoint?: string;

  @ApiPropertyOptional({ example: ['client_secret_basic'] })
  introspection_endpoint_auth_methods_supported?: string[];

  @ApiProperty({ example: 'https://auth.example.com/docs' })
  service_documentation: string;
}

/** RFC 8414 authorization server metadata, so OAuth2 clients configure themselves from one URL. */
@ApiTags('oauth')
@Public()
@Controller('.well-known')
export class ServerMetadataController {
  private readonly metadata: ServerMetadataDto;

  constructor(config: AppConfig, introspection: IntrospectionClients) {
    const url = (path: string) => `${config.publicUrl}${path}`;
    this.metadata = {
      issuer: config.publicUrl,
      token_endpoint: url('/login'),
      token_endpoint_auth_methods_supported: ['none'],
      // The authorization endpoint only signs in through a provider: none without providers.
      ...(config.oidc.providers.length > 0
        ? {
            authorization_endpoint: url('/authorize'),
            grant_types_supported: ['password', 'refresh_token', 'authorization_code'],
            response_types_supported: ['code'],
            code_challenge_methods_supported: ['S256'],
          }
        : { grant_types_supported: ['password', 'refresh_token'], response_types_supported: [] }),
      jwks_uri: url('/.well-known/jwks.json'),
      revocation_endpoint: url('/revoke'),
      revocation_endpoint_auth_methods_supported: ['none'],
      ...(introspection.configured
        ? {
            introspection_endpoint: url('/introspect'),
            introspection_endpoint_auth_methods_supported: ['client_secret_basic'],
          }
        : {}),
      service_documentation: url('/docs'),
    };
  }

  @Get('oauth-authorization-server')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'Authorization server metadata (RFC 8414)',
    description:
      'Where the authorization, token, revocation and introspection endpoints and the JWKS are, as absolute URLs built from `PUBLIC_URL`, and what they accept. OAuth2 libraries (openid-client, Swagger UI…) configure themselves from it.',
  })
  @ApiOkResponse({ type: ServerMetadataDto })
  serverMetadata(): ServerMetadataDto {
    return this.metadata;
  }
}
