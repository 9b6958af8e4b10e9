import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  UseGuards,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { RegistrationResponseJSON } from '@simplewebauthn/server';
import { ApiBearer } from '../auth/guards/api-bearer.decorator.js';
import { REAUTH_TOO_MANY, REAUTHENTICATION_REQUIRED } from '../auth/reauthentication.problems.js';
import { ReauthenticationService } from '../auth/reauthentication.service.js';
import {
  PASSKEY_LAST_METHOD,
  SignInMethodsService,
} from '../auth/sign-in-methods/sign-in-methods.service.js';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { BAD_BODY } from '../common/problems/bad-body.problems.js';
import { secondFactorOf } from '../mfa/mfa.service.js';
import { PasskeyDto, PasskeyListDto, toPasskeyDto } from '../passkeys/dto/passkey.dto.js';
import { PasskeyCreationOptionsDto } from '../passkeys/dto/webauthn-options.dto.js';
import { PasskeysEnabledGuard } from '../passkeys/passkeys-enabled.guard.js';
import { PasskeysService } from '../passkeys/passkeys.service.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { AccountService } from './account.service.js';
import { AddPasskeyDto, PasskeyOptionsRequestDto, RenamePasskeyDto } from './dto/passkey.dto.js';
import { PATH_ID_PROBLEMS } from './path-id.problems.js';

const PASSKEYS_OFF = {
  kind: 'notFound',
  detail: 'Passkeys are not enabled on this server.',
  description: 'Passkeys are off (WEBAUTHN_RP_ID is unset)',
} as const;
const NO_SUCH_PASSKEY = {
  kind: 'notFound',
  detail: 'No such passkey.',
  description: 'The account has no passkey with that id, or passkeys are off',
} as const;

/** The caller's passkeys (issue 26): registering, listing, naming and removing them. */
@ApiTags('account')
@ApiBearer()
@UseGuards(PasskeysEnabledGuard)
@Controller('me/passkeys')
export class PasskeysController {
  constructor(
    private readonly account: AccountService,
    private readonly passkeys: PasskeysService,
    private readonly reauthentication: ReauthenticationService,
    private readonly signInMethods: SignInMethodsService,
  ) {}

  @Post('options')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Start registering a passkey: the creation options for the browser',
    description:
      'Proves it is the owner as other account changes do: the current password (an account without one, made through an identity provider: a sign-in within `REAUTH_MAX_AGE` instead, through the provider or with a passkey) and, when two-factor login is on, a `code`. Answers the options for `navigator.credentials.create()` in the WebAuthn Level 3 `toJSON` shape: a discoverable credential and user verification required, the account’s passkeys excluded, attestation `none`. Their challenge is single use and lives 5 minutes; send the browser’s answer to `POST /me/passkeys`.',
  })
  @ApiOkResponse({ type: PasskeyCreationOptionsDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    { kind: 'wrongPassword', detail: 'Current password is incorrect' },
    REAUTHENTICATION_REQUIRED,
    {
      kind: 'wrongMfaCode',
      detail: 'The code is not right.',
      description: 'Two-factor login is on and `code` is not a right code or unused recovery code',
    },
    PASSKEYS_OFF,
    {
      kind: 'validation',
      detail: 'current_password must not be empty.',
      description:
        'A field is invalid, the account has a password and `current_password` is missing, or two-factor login is on and `code` is missing (`code is required: two-factor login is on for this account.`)',
    },
    REAUTH_TOO_MANY,
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
  )
  async options(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: PasskeyOptionsRequestDto,
    @Client() client: ClientInfo,
  ): Promise<PasskeyCreationOptionsDto> {
    const user = await this.account.profile(caller);
    // An account without a password: the recent-sign-in rule lives in ReauthenticationService.
    await this.reauthentication.confirm(
      user,
      {
        password: dto.current_password,
        secondFactor: dto.code === undefined ? undefined : secondFactorOf(dto.code),
      },
      'when-enabled',
      client,
      caller.sessionId,
    );
    return this.passkeys.registrationOptions(user);
  }

  @Post()
  @ApiOperation({
    summary: 'Register a passkey: the browser’s answer to the creation options',
    description:
      'Checks the answer (challenge of this account, single use and live; origin in WEBAUTHN_ORIGINS; RP id; user presence and verification) and stores the passkey, which then signs in to the account on its own. The owner is told by mail.',
  })
  @ApiCreatedResponse({ type: PasskeyDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    {
      kind: 'invalidPasskeyRegistration',
      detail:
        'The passkey could not be registered: the answer is invalid, expired or used, or came from another site. Ask for new options and try again.',
      description:
        'The answer failed a check: an unknown, used or expired challenge, another origin or RP id, no user verification, a bad attestation',
    },
    PASSKEYS_OFF,
    {
      kind: 'passkeyAlreadyRegistered',
      detail: 'This passkey is registered already.',
      description: 'The credential is registered already (to this or another account)',
    },
    { kind: 'validation', detail: 'response must be an object.' },
  )
  async add(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: AddPasskeyDto,
    @Client() client: ClientInfo,
  ): Promise<PasskeyDto> {
    const user = await this.account.profile(caller);
    const passkey = await this.passkeys.register(
      user,
      // Its shape is the library's to check: every field it lacks is a refused registration.
      dto.response as unknown as RegistrationResponseJSON,
      dto.name,
      client,
      caller.sessionId,
    );
    return toPasskeyDto(passkey);
  }

  @Get()
  @ApiOperation({ summary: 'The caller’s passkeys' })
  @ApiOkResponse({ type: PasskeyListDto })
  @ApiProblemResponses(PASSKEYS_OFF)
  async list(@CurrentUser() caller: AuthenticatedUser): Promise<PasskeyListDto> {
    const user = await this.account.profile(caller);
    return { passkeys: (await this.passkeys.list(user.id)).map(toPasskeyDto) };
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a passkey' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: PasskeyDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    NO_SUCH_PASSKEY,
    { kind: 'validation', detail: 'name must not be empty.' },
    ...PATH_ID_PROBLEMS,
  )
  async rename(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
    @Body() dto: RenamePasskeyDto,
  ): Promise<PasskeyDto> {
    const user = await this.account.profile(caller);
    return toPasskeyDto(await this.passkeys.rename(user.id, id, dto.name));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Remove a passkey',
    description:
      'It no longer signs in. Refused (`409`) when it is the account’s last way to sign in (see `sign_in_methods` of `GET /me`). Every other session of the account ends (any could have been opened with it, from a device now lost); this one stays. The owner is told by mail. No current password is asked: removing gives nobody a way in, and never takes the last one away.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Passkey removed' })
  @ApiProblemResponses(
    NO_SUCH_PASSKEY,
    { kind: 'lastSignInMethod', detail: PASSKEY_LAST_METHOD },
    ...PATH_ID_PROBLEMS,
  )
  async remove(
    @CurrentUser() caller: AuthenticatedUser,
    @Param('id') id: string,
    @Client() client: ClientInfo,
  ): Promise<void> {
    const user = await this.account.profile(caller);
    await this.signInMethods.removePasskey(user, id, { id: user.id, client }, caller.sessionId);
  }
}
