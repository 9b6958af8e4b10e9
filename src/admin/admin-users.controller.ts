import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiBearer } from '../auth/guards/api-bearer.decorator.js';
import { Roles } from '../auth/roles/roles.decorator.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { BAD_BODY } from '../common/problems/bad-body.problems.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import { usernameKey } from '../users/identity.normalization.js';
import { ADMIN_ROLE } from '../config/roles.js';
import { AdminUserDetailDto, AdminUserDto, toAdminUserDto } from './dto/admin-user.dto.js';
import { DisableUserDto } from './dto/disable-user.dto.js';
import { BAD_CURSOR, PAGE_DEFAULT_LIMIT } from './dto/page-query.dto.js';
import { SetRolesDto } from './dto/set-roles.dto.js';
import {
  decodeUserCursor,
  encodeUserCursor,
  UserPageDto,
  UserSearchQueryDto,
} from './dto/user-search.dto.js';
import type { Actor } from '../audit/actor.js';
import { UserAdminService } from './user-admin.service.js';
import { MfaService } from '../mfa/mfa.service.js';
import { ApiUserId, UserIdParam } from './user-id.param.js';
import {
  PASSKEY_LAST_METHOD,
  SignInMethodsService,
} from '../auth/sign-in-methods/sign-in-methods.service.js';
import { toIdentityDto } from '../identities/dto/identity.dto.js';
import { toPasskeyDto } from '../passkeys/dto/passkey.dto.js';
import { PasskeysEnabledGuard } from '../passkeys/passkeys-enabled.guard.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';

const LAST_ADMIN = {
  kind: 'lastAdmin',
  detail:
    'This is the last enabled admin: make another account admin first, so someone can still administer the service.',
} as const;

const actor = (caller: AuthenticatedUser, client: ClientInfo): Actor => ({ id: caller.id, client });

@ApiTags('admin')
@ApiBearer()
@Roles(ADMIN_ROLE)
@Controller('admin/users')
export class AdminUsersController {
  constructor(
    private readonly admin: UserAdminService,
    private readonly mfa: MfaService,
    private readonly signInMethods: SignInMethodsService,
    private readonly passkeys: PasskeysService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Find accounts',
    description:
      'By the start of the username or email (any case), role and disabled, ordered by username; `limit` (≤ 100, default 20) at a time, then pass `next_cursor` as `cursor`.',
  })
  @ApiOkResponse({ type: UserPageDto })
  @ApiProblemResponses({ kind: 'validation', detail: 'limit must be at most 100.' })
  async list(@Query() query: UserSearchQueryDto): Promise<UserPageDto> {
    const limit = query.limit ?? PAGE_DEFAULT_LIMIT;
    const after = query.cursor === undefined ? undefined : decodeUserCursor(query.cursor);
    if (query.cursor !== undefined && after === undefined) throw validationProblem([BAD_CURSOR]);
    // One more than asked says whether another page follows.
    const found = await this.admin.search(
      {
        prefix: query.q,
        role: query.role,
        disabled: query.disabled === undefined ? undefined : query.disabled === 'true',
        after,
      },
      limit + 1,
    );
    const page = found.slice(0, limit);
    const last = page.at(-1);
    return {
      users: page.map(toAdminUserDto),
      next_cursor:
        found.length > limit && last ? encodeUserCursor(usernameKey(last.username)) : null,
    };
  }

  @Get(':id')
  @ApiOperation({
    summary:
      'One account, with its number of live sessions, its identities at providers and its passkeys',
  })
  @ApiUserId()
  @ApiOkResponse({ type: AdminUserDetailDto })
  async get(@UserIdParam() id: string): Promise<AdminUserDetailDto> {
    const { user, activeSessions } = await this.admin.get(id);
    const [identities, passkeys] = await Promise.all([
      this.signInMethods.identitiesOf(user.id),
      this.passkeys.list(user.id),
    ]);
    return {
      ...toAdminUserDto(user),
      active_sessions: activeSessions,
      identities: identities.map(toIdentityDto),
      passkeys: passkeys.map(toPasskeyDto),
    };
  }

  @Patch(':id')
  @ApiOperation({
    summary: 'Set the account’s roles',
    description:
      'If they change, every session of the account ends at once (on every instance), so no access token carries a role its holder has lost; the next login’s token carries the new roles.',
  })
  @ApiUserId()
  @ApiOkResponse({ type: AdminUserDto, description: 'The account with its new roles' })
  @ApiProblemResponses(...BAD_BODY, LAST_ADMIN, {
    kind: 'validation',
    detail: 'roles may only name user, admin (not owner).',
  })
  async setRoles(
    @UserIdParam() id: string,
    @Body() dto: SetRolesDto,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<AdminUserDto> {
    return toAdminUserDto(await this.admin.setRoles(id, dto.roles, actor(caller, client)));
  }

  @Post(':id/disable')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Disable the account',
    description:
      'Every session ends and its access tokens are refused at once on every instance; login and refresh answer as for a wrong password until it is enabled again.',
  })
  @ApiUserId()
  @ApiBody({ type: DisableUserDto, required: false })
  @ApiNoContentResponse({ description: 'Disabled' })
  @ApiProblemResponses(...BAD_BODY, LAST_ADMIN, {
    kind: 'validation',
    detail: 'reason must be at most 500 characters long.',
  })
  async disable(
    @UserIdParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
    @Body() dto: DisableUserDto = new DisableUserDto(),
  ): Promise<void> {
    await this.admin.disable(id, dto.reason ?? null, actor(caller, client));
  }

  @Post(':id/enable')
  @HttpCode(204)
  @ApiOperation({ summary: 'Enable the account again' })
  @ApiUserId()
  @ApiNoContentResponse({ description: 'Enabled' })
  async enable(
    @UserIdParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.admin.enable(id, actor(caller, client));
  }

  @Delete(':id/sessions')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Log the account out everywhere',
    description: 'Every session ends: its refresh tokens die and its access tokens are refused.',
  })
  @ApiUserId()
  @ApiNoContentResponse({ description: 'Every session ended' })
  async endSessions(
    @UserIdParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.admin.endSessions(id, actor(caller, client));
  }

  @Delete(':id/mfa')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Turn the account’s two-factor login off',
    description:
      'For an owner who lost both their authenticator and their recovery codes. Their password alone logs in again; they get a notice mail, and the action is in the audit trail with the acting admin.',
  })
  @ApiUserId()
  @ApiNoContentResponse({ description: 'Two-factor login is off' })
  @ApiProblemResponses({ kind: 'mfaNotEnabled', detail: 'Two-factor login is off.' })
  async disableMfa(
    @UserIdParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    const { user } = await this.admin.get(id);
    await this.mfa.disableByAdmin(user, caller.id, client);
  }

  @Delete(':id/identities/:identityId')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Unlink one of the account’s identities',
    description:
      'The provider account no longer signs in to this one. Refused (`409`) when it is the account’s last way to sign in, as for its owner. Every session of the account ends (any could have been opened through it); the owner gets a notice mail, and the audit trail records the acting admin.',
  })
  @ApiUserId()
  @ApiParam({ name: 'identityId', format: 'uuid', description: 'The identity’s id.' })
  @ApiNoContentResponse({ description: 'Identity unlinked' })
  @ApiProblemResponses(
    { kind: 'notFound', detail: 'No such identity.' },
    {
      kind: 'lastSignInMethod',
      detail:
        'This is the account’s last way to sign in: set a password or link another provider first.',
    },
  )
  async unlinkIdentity(
    @UserIdParam() id: string,
    @Param('identityId') identityId: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    const { user } = await this.admin.get(id);
    await this.signInMethods.unlink(user, identityId, actor(caller, client));
  }

  @Delete(':id/passkeys/:passkeyId')
  @UseGuards(PasskeysEnabledGuard)
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove one of the account’s passkeys',
    description:
      'The passkey no longer signs in. Refused (`409`) when it is the account’s last way to sign in, as for its owner. Every session of the account ends (any could have been opened with it); the owner gets a notice mail, and the audit trail records the acting admin. `404` while passkeys are off (WEBAUTHN_RP_ID unset).',
  })
  @ApiUserId()
  @ApiParam({ name: 'passkeyId', format: 'uuid', description: 'The passkey’s id.' })
  @ApiNoContentResponse({ description: 'Passkey removed' })
  @ApiProblemResponses({ kind: 'lastSignInMethod', detail: PASSKEY_LAST_METHOD })
  async removePasskey(
    @UserIdParam() id: string,
    @Param('passkeyId') passkeyId: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    const { user } = await this.admin.get(id);
    await this.signInMethods.removePasskey(user, passkeyId, actor(caller, client));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete the account',
    description:
      'Its access tokens are refused at once on every instance, its username and email are free again; its audit events stay.',
  })
  @ApiUserId()
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblemResponses(LAST_ADMIN)
  async delete(
    @UserIdParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.admin.delete(id, actor(caller, client));
  }

  @Post(':id/password-reset')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send the account a password-reset mail',
    description:
      'Queues a reset link to the account’s address, as `/password/forgot` would (at most one a minute per address). The account keeps working until the link is used. `503` when this server cannot send mail.',
  })
  @ApiUserId()
  @ApiAcceptedResponse({ description: 'The mail is queued' })
  @ApiProblemResponses({
    kind: 'mailNotConfigured',
    detail:
      'This server cannot send mail (SMTP_URL is not configured), so this request cannot be carried out.',
  })
  async requestPasswordReset(
    @UserIdParam() id: string,
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.admin.requestPasswordReset(id, actor(caller, client));
  }
}
