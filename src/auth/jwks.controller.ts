import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../common/decorators/public.decorator.js';
import { SigningKeys, type PublishedJwk } from '../tokens/signing-keys.js';

class JwkSetDto {
  @ApiProperty({
    description: 'Public keys (RFC 7517) with `kid`, `alg` and `use: sig`; empty with HS256.',
    type: 'array',
    items: { type: 'object', additionalProperties: { type: 'string' } },
    example: [
      {
        kty: 'EC',
        crv: 'P-256',
        x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU',
        y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0',
        kid: 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs',
        alg: 'ES256',
        use: 'sig',
      },
    ],
  })
  keys: PublishedJwk[];
}

@ApiTags('keys')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Get('jwks.json')
  // Short enough that a rotated-in key is picked up soon by verifiers that cache the set.
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary: 'The public keys that verify our access tokens (JWKS)',
    description:
      'With JWT_ALGORITHM=RS256 or ES256, other services verify our tokens with these keys, selected by the token’s `kid`. With HS256 no key is published.',
  })
  @ApiOkResponse({ type: JwkSetDto })
  jwks(): JwkSetDto {
    return this.keys.jwks();
  }
}
