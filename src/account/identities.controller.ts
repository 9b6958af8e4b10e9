import { Controller, Delete, Get, HttpCode, Param } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiBearer } from '../auth/guards/api-bearer.decorator.js';
import { SignInMethodsService } from '../auth/sign-in-methods/sign-in-methods.service.js';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { IdentityListDto, toIdentityDto } from '../identities/dto/identity.dto.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { AccountService } from './account.service.js';
import { PATH_ID_PROBLEMS } from './path-id.problems.js';

/** The providers' identities linked to the caller's account (issue 25). */
@ApiTags('account')
@ApiBearer()
@Controller('me/identities')
export class IdentitiesController {
  constructor(
    private readonly account: AccountService,
    private readonly signInMethods: SignInMethodsService,
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
