import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ApiBearer } from '../auth/guards/api-bearer.decorator.js';
import { REAUTHENTICATION_REQUIRED } from '../auth/reauthentication.problems.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { validationProblem } from '../common/validation/validation.pipe.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { MfaService } from '../mfa/mfa.service.js';
import { SignInMethodsService } from '../auth/sign-in-methods/sign-in-methods.service.js';
import { AccountService } from './account.service.js';
import { decodeCursor, encodeCursor } from '../audit/audit-cursor.js';
import { ActivityPageDto, ActivityQueryDto, toActivityEventDto } from './dto/activity.dto.js';
import { ChangePasswordDto } from './dto/change-password.dto.js';
import { DeleteAccountDto } from './dto/delete-account.dto.js';
import { ProfileDto, toProfileDto } from './dto/profile.dto.js';
import { SessionListDto, toSessionDto } from './dto/session.dto.js';
import { PATH_ID_PROBLEMS } from './path-id.problems.js';

const REAUTH_TOO_MANY = {
  kind: 'tooManyRequests',
  detail: 'Too many wrong passwords or codes; try again later.',
  description:
    'The failed-login counters of `/login` are spent for the account from this client (every wrong password here counts, and a right one is refused too until `Retry-After`), or two checks of the account are already under way (`Retry-After: 1`)',
} as const;

@ApiTags('account')
@ApiBearer()
@Controller('me')
export class AccountController {
  constructor(
    private readonly account: AccountService,
    private readonly mfa: MfaService,
    private readonly signInMethods: SignInMethodsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The caller’s account' })
  @ApiOkResponse({ type: ProfileDto })
  async profile(@CurrentUser() caller: AuthenticatedUser): Promise<ProfileDto> {
    const user = await this.account.profile(caller);
    const [mfaEnabled, methods] = await Promise.all([
      this.mfa.isEnabled(user.id),
      this.signInMethods.methodsOf(user),
    ]);
    return toProfileDto(user, mfaEnabled, methods);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete the caller’s account',
    description:
      'Needs the current password (an account without one, made through an identity provider: a sign-in within `REAUTH_MAX_AGE` instead). Every access token of the account is refused at once on every instance; the username and email are free again; the audit trail keeps its events. The last enabled admin cannot delete their account (`409`): make another account admin first.',
  })
  @ApiNoContentResponse({ description: 'Account deleted' })
  @ApiProblemResponses(
    { kind: 'malformedRequest' },
    { kind: 'payloadTooLarge' },
    { kind: 'unsupportedMediaType' },
    { kind: 'wrongPassword', detail: 'Current password is incorrect' },
    REAUTHENTICATION_REQUIRED,
    {
      kind: 'lastAdmin',
      detail:
        'This is the last enabled admin: make another account admin first, so someone can still administer the service.',
    },
    { kind: 'validation', detail: 'current_password must not be empty.' },
    REAUTH_TOO_MANY,
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
  )
  async deleteAccount(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: DeleteAccountDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.deleteAccount(caller, dto.current_password, client);
  }

  @Post('password')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Change the password, or set a first one',
    description:
      'The new password follows the signup rules. Every other session ends: its access tokens are refused at once and its refresh tokens answer 401. This session stays. An account without a password (made through an identity provider) sets its first one here, without `current_password`, from a session that signed in within `REAUTH_MAX_AGE`; it then signs in (and confirms changes) with it.',
  })
  @ApiNoContentResponse({ description: 'Password changed (or set)' })
  @ApiProblemResponses(
    { kind: 'malformedRequest' },
    { kind: 'payloadTooLarge' },
    { kind: 'unsupportedMediaType' },
    { kind: 'wrongPassword', detail: 'Current password is incorrect' },
    REAUTHENTICATION_REQUIRED,
    {
      kind: 'validation',
      detail: 'new_password must be at least 8 characters long.',
      description:
        'A field is invalid, or the account has a password and `current_password` is missing (`current_password must not be empty.`)',
    },
    REAUTH_TOO_MANY,
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
  )
  async changePassword(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: ChangePasswordDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.changePassword(caller, dto.current_password, dto.new_password, client);
  }

  @Get('sessions')
  @ApiOperation({ summary: 'The caller’s live sessions (one per login, kept alive by refreshes)' })
  @ApiOkResponse({ type: SessionListDto })
  async sessions(@CurrentUser() caller: AuthenticatedUser): Promise<SessionListDto> {
    const sessions = await this.account.listSessions(caller);
    return { sessions: sessions.map((session) => toSessionDto(session, caller.sessionId)) };
  }

  @Delete('sessions/:id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'End one session',
    description: 'Its refresh token dies and its access tokens are refused at once.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Session ended' })
  @ApiProblemResponses({ kind: 'notFound', detail: 'No such session.' }, ...PATH_ID_PROBLEMS)
  async endSession(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.account.endSession(caller, id, client);
  }

  @Get('activity')
  @ApiOperation({
    summary: 'The caller’s recent activity: logins, failures, refreshes, logouts…',
    description:
      'Newest first, `limit` (≤ 100, default 20) at a time; pass `next_cursor` as `cursor` for older ones. Shows where each came from, so a login from an unknown address stands out.',
  })
  @ApiOkResponse({ type: ActivityPageDto })
  @ApiProblemResponses({ kind: 'validation', detail: 'limit must be at most 100.' })
  async activity(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: ActivityQueryDto,
  ): Promise<ActivityPageDto> {
    const limit = query.limit ?? 20;
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    if (query.cursor !== undefined && !cursor) {
      throw validationProblem([
        {
          field: 'cursor',
          pointer: '#/cursor',
          detail: 'cursor is not one this service gave out.',
        },
      ]);
    }
    // One more than asked says whether another page follows.
    const events = await this.account.activity(caller, limit + 1, cursor);
    const page = events.slice(0, limit);
    const last = page.at(-1);
    return {
      events: page.map(toActivityEventDto),
      next_cursor: events.length > limit && last ? encodeCursor(last) : null,
    };
  }
}
