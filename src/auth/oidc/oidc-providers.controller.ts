import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/decorators/public.decorator.js';
import { OidcProvidersService } from './oidc-providers.service.js';

class OidcProviderDto {
  @ApiProperty({
    description: 'Its id in OIDC_PROVIDERS, as in `/authorize?provider=`.',
    example: 'acme',
  })
  id: string;

  @ApiProperty({ description: 'The name to show (OIDC_<ID>_NAME).', example: 'Acme Corp' })
  name: string;
}

class OidcProvidersDto {
  @ApiProperty({
    description: 'Every configured provider, in OIDC_PROVIDERS order; empty when none is.',
    type: [OidcProviderDto],
  })
  providers: OidcProviderDto[];
}

@ApiTags('oauth')
@Public()
@Controller('oauth')
export class OidcProvidersController {
  constructor(private readonly providers: OidcProvidersService) {}

  @Get('providers')
  @ApiOperation({
    summary: 'The identity providers people may sign in with',
    description:
      'The OpenID Connect providers of OIDC_PROVIDERS, so a page can draw one button each. A provider listed here may still answer `temporarily_unavailable` at sign-in while it cannot be reached.',
  })
  @ApiOkResponse({ type: OidcProvidersDto })
  list(): OidcProvidersDto {
    return { providers: this.providers.list() };
  }
}
