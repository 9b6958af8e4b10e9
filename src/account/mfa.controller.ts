import { Body, Controller, Delete, Header, HttpCode, Post } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiBearer } from '../auth/guards/api-bearer.decorator.js';
import { REAUTH_TOO_MANY, REAUTHENTICATION_REQUIRED } from '../auth/reauthentication.problems.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { AccountService } from './account.service.js';
import type { User } from '../users/user.js';
import {
  ConfirmEnrolmentDto,
  EnrolmentDto,
  RecoveryCodesDto,
  SecondFactorCheckDto,
  StartEnrolmentDto,
} from './dto/mfa.dto.js';
import { ReauthenticationService } from '../auth/reauthentication.service.js';
import { MfaService, secondFactorOf } from '../mfa/mfa.service.js';

const BAD_BODY = [
  { kind: 'malformedRequest' },
  { kind: 'payloadTooLarge' },
  { kind: 'unsupportedMediaType' },
] as const;
const WRONG_PASSWORD = { kind: 'wrongPassword', detail: 'Current password is incorrect' } as const;
const WRONG_CODE = { kind: 'wrongMfaCode', detail: 'The code is not right.' } as const;

/** What a route that asks for the password and a second factor (MFA on) can answer. */
const PASSWORD_AND_CODE_PROBLEMS = [
  ...BAD_BODY,
  WRONG_PASSWORD,
  REAUTHENTICATION_REQUIRED,
  WRONG_CODE,
  { kind: 'mfaNotEnabled', detail: 'Two-factor login is off.' },
  { kind: 'validation', detail: 'code must not be empty.' },
  REAUTH_TOO_MANY,
  { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
] as const;

@ApiTags('mfa')
@ApiBearer()
@Controller('me/mfa')
export class MfaController {
  constructor(
    private readonly mfa: MfaService,
    private readonly account: AccountService,
    private readonly reauthentication: ReauthenticationService,
  ) {}

  @Post('totp')
  @HttpCode(200)
  // The answer carries the secret.
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Start two-factor enrolment with an authenticator app (TOTP)',
    description:
      'Needs the password (an account without one: a sign-in within `REAUTH_MAX_AGE` instead). Answers a new 160-bit secret, its `otpauth://` URI and the URI as an SVG QR code. Nothing changes until `/me/mfa/totp/confirm` receives a first code; a new call replaces a pending secret. While two-factor login is on: `409` (turn it off first).',
  })
  @ApiOkResponse({ type: EnrolmentDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    WRONG_PASSWORD,
    REAUTHENTICATION_REQUIRED,
    { kind: 'mfaAlreadyEnabled', detail: 'Two-factor login is already on: turn it off first.' },
    { kind: 'validation', detail: 'current_password must not be empty.' },
    {
      kind: 'mfaNotConfigured',
      detail: 'Two-factor login is not configured on this server (MFA_ENCRYPTION_KEY).',
    },
    REAUTH_TOO_MANY,
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
  )
  async start(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: StartEnrolmentDto,
    @Client() client: ClientInfo,
  ): Promise<EnrolmentDto> {
    const user = await this.account.profile(caller);
    await this.reauthentication.confirm(
      user,
      { password: dto.current_password },
      'none',
      client,
      caller.sessionId,
    );
    return this.mfa.enrol(user);
  }

  @Post('totp/confirm')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Turn two-factor login on with a first code',
    description:
      'Answers ten single-use recovery codes, shown this once. Every other session of the account ends.',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    WRONG_CODE,
    { kind: 'mfaNotPending', detail: 'There is no enrolment to confirm: start one.' },
    { kind: 'validation', detail: 'code must be the 6 digits your authenticator app shows.' },
    {
      kind: 'mfaNotConfigured',
      detail: 'Two-factor login is not configured on this server (MFA_ENCRYPTION_KEY).',
    },
    REAUTH_TOO_MANY,
  )
  async confirm(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: ConfirmEnrolmentDto,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesDto> {
    const user = await this.account.profile(caller);
    // A wrong first code counts like a wrong password: it is one more code someone could guess.
    const codes = await this.reauthentication.underLimits(user, client, () =>
      this.mfa.confirm(user, caller.sessionId, dto.code, client),
    );
    return { recovery_codes: codes };
  }

  @Delete('totp')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Turn two-factor login off',
    description:
      'Needs the password (an account without one: a sign-in within `REAUTH_MAX_AGE` instead) and a code from the app (or a recovery code). Every other session ends.',
  })
  @ApiNoContentResponse({ description: 'Two-factor login is off' })
  @ApiProblemResponses(...PASSWORD_AND_CODE_PROBLEMS)
  async disable(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: SecondFactorCheckDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    const user = await this.account.profile(caller);
    await this.confirmWithSecondFactor(user, caller, dto, client);
    await this.mfa.disable(user, caller.sessionId, client);
  }

  @Post('recovery-codes')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'A new set of recovery codes; the old set stops working',
    description:
      'Needs the password (an account without one: a sign-in within `REAUTH_MAX_AGE` instead) and a code from the app (or a recovery code). Every other session ends.',
  })
  @ApiOkResponse({ type: RecoveryCodesDto })
  @ApiProblemResponses(...PASSWORD_AND_CODE_PROBLEMS)
  async regenerate(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: SecondFactorCheckDto,
    @Client() client: ClientInfo,
  ): Promise<RecoveryCodesDto> {
    const user = await this.account.profile(caller);
    await this.confirmWithSecondFactor(user, caller, dto, client);
    return {
      recovery_codes: await this.mfa.regenerateRecoveryCodes(user, caller.sessionId, client),
    };
  }

  private confirmWithSecondFactor(
    user: User,
    caller: AuthenticatedUser,
    dto: SecondFactorCheckDto,
    client: ClientInfo,
  ): Promise<void> {
    return this.reauthentication.confirm(
      user,
      { password: dto.current_password, secondFactor: secondFactorOf(dto.code) },
      'required',
      client,
      caller.sessionId,
    );
  }
}
