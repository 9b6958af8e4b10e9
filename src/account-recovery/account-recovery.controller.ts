import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiConsumes,
  ApiNoContentResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiBearer } from '../auth/guards/api-bearer.decorator.js';
import { REAUTH_TOO_MANY, REAUTHENTICATION_REQUIRED } from '../auth/reauthentication.problems.js';
import type { AuthenticatedUser } from '../tokens/access-token.claims.js';
import { Client, type ClientInfo } from '../common/decorators/client-info.decorator.js';
import { CurrentUser } from '../common/decorators/current-user.decorator.js';
import { Public } from '../common/decorators/public.decorator.js';
import { BAD_BODY } from '../common/problems/bad-body.problems.js';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { IpRateLimitGuard } from '../rate-limit/ip-rate-limit.guard.js';
import { secondFactorOf } from '../mfa/mfa.service.js';
import { AccountRecoveryService } from './account-recovery.service.js';
import { ChangeEmailDto } from './dto/change-email.dto.js';
import { AcceptedDto, ForgotPasswordDto } from './dto/forgot-password.dto.js';
import { ResetPasswordDto } from './dto/reset-password.dto.js';
import { VerifyEmailDto } from './dto/verify-email.dto.js';

const BAD_LINK = {
  kind: 'invalidTokenLink',
  detail: 'This link is invalid or has expired. Ask for a new one.',
  description: 'The link was used, has expired, was superseded by a newer one, or is unknown',
} as const;
const NO_MAIL = {
  kind: 'mailNotConfigured',
  detail:
    'This server cannot send mail (SMTP_URL is not configured), so this request cannot be carried out.',
} as const;
const TOO_MANY = {
  kind: 'tooManyRequests',
  detail: 'Too many requests from your address; try again in 42 s.',
} as const;

export const FORGOT_PASSWORD_MESSAGE = 'If that address is registered, a reset link is on its way.';

@ApiTags('account recovery')
@Controller()
export class AccountRecoveryController {
  constructor(private readonly recovery: AccountRecoveryService) {}

  @Public()
  @UseGuards(IpRateLimitGuard)
  @Post('password/forgot')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Ask for a password-reset link by mail',
    description:
      'Always `202` with the same body, and the same work and timing, whether or not the address is registered: the address is looked up later, by the background sender. At most one reset mail per address a minute (further requests still answer `202`). The link is valid `PASSWORD_RESET_TTL` (1 h), once; asking again invalidates older links.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiAcceptedResponse({ type: AcceptedDto })
  @ApiProblemResponses(
    ...BAD_BODY,
    { kind: 'validation', detail: 'email must be a valid email address.' },
    TOO_MANY,
    NO_MAIL,
  )
  async forgotPassword(
    @Body() dto: ForgotPasswordDto,
    @Client() client: ClientInfo,
  ): Promise<AcceptedDto> {
    await this.recovery.forgotPassword(dto.email, client);
    return { message: FORGOT_PASSWORD_MESSAGE };
  }

  @Public()
  @UseGuards(IpRateLimitGuard)
  @Post('password/reset')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Set a new password with the token of a reset link',
    description:
      'The new password follows the signup rules; one that breaks them answers `422` and leaves the link usable. Then every session of the account ends (its access tokens are refused at once), its failed-login count is cleared, pending reset and address-change links die (a verification link stays), the address the link went to is marked verified, and a notice goes to it.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiNoContentResponse({ description: 'Password changed; log in with it' })
  @ApiProblemResponses(
    ...BAD_BODY,
    BAD_LINK,
    { kind: 'validation', detail: 'new_password must be at least 8 characters long.' },
    TOO_MANY,
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
  )
  async resetPassword(@Body() dto: ResetPasswordDto, @Client() client: ClientInfo): Promise<void> {
    await this.recovery.resetPassword(dto.token, dto.new_password, client);
  }

  @Public()
  @UseGuards(IpRateLimitGuard)
  @Post('email/verify')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Use the token of an email link: verify, confirm a new address, or undo a change',
    description:
      'Single use. A verification link marks the address verified; a link sent to a new address makes it the account’s address (the old address gets a notice with a link, valid 7 days, that undoes the change); that undo link, which no later change cancels, restores the old address, ends every session, cancels a pending change and the undo links mailed after it, stops the current password from working and mails a reset link to the restored address. A completed password reset marks the address it was mailed to verified.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiNoContentResponse({ description: 'Done' })
  @ApiProblemResponses(
    ...BAD_BODY,
    BAD_LINK,
    { kind: 'validation', detail: 'token must not be empty.' },
    TOO_MANY,
  )
  async verifyEmail(@Body() dto: VerifyEmailDto, @Client() client: ClientInfo): Promise<void> {
    await this.recovery.verifyEmail(dto.token, client);
  }

  @Post('me/email/verification')
  @HttpCode(202)
  @ApiBearer()
  @ApiOperation({
    summary: 'Send a fresh verification link to the caller’s address',
    description:
      'At most one a minute (a second request within the minute answers `202` and sends nothing); nothing is sent for an address already verified.',
  })
  @ApiAcceptedResponse({
    description: 'A link is on its way, unless one was sent in the last minute',
  })
  @ApiProblemResponses(NO_MAIL)
  async resendVerification(
    @CurrentUser() caller: AuthenticatedUser,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.recovery.resendVerification(caller, client);
  }

  @Post('me/email')
  @HttpCode(202)
  @ApiBearer()
  @ApiOperation({
    summary: 'Change the account’s address (confirmed by a link sent to the new one)',
    description:
      'Needs the current password (an account without one, made through an identity provider: a sign-in within `REAUTH_MAX_AGE` instead) and, when two-factor login is on, a `code` from the app or a recovery code. The address changes only when the link mailed to the new address is used (`POST /email/verify`). An address that belongs to another account gets the same `202` (its owner is told by mail), so this reveals no one’s registration.',
  })
  @ApiConsumes('application/json', 'application/x-www-form-urlencoded')
  @ApiAcceptedResponse({ description: 'A confirmation link is on its way to the new address' })
  @ApiProblemResponses(
    ...BAD_BODY,
    { kind: 'wrongPassword', detail: 'Current password is incorrect' },
    REAUTHENTICATION_REQUIRED,
    {
      kind: 'wrongMfaCode',
      detail: 'The code is not right.',
      description: 'Two-factor login is on and `code` is not a right code or unused recovery code',
    },
    {
      kind: 'validation',
      detail: 'new_email must be a valid email address.',
      description:
        'A field is invalid, the account has a password and `current_password` is missing, or two-factor login is on and `code` is missing (`code is required: two-factor login is on for this account.`)',
    },
    REAUTH_TOO_MANY,
    { kind: 'serviceBusy', detail: 'Too many password checks at once; try again.' },
    NO_MAIL,
  )
  async requestEmailChange(
    @CurrentUser() caller: AuthenticatedUser,
    @Body() dto: ChangeEmailDto,
    @Client() client: ClientInfo,
  ): Promise<void> {
    await this.recovery.requestEmailChange(
      caller,
      dto.new_email,
      {
        password: dto.current_password,
        secondFactor: dto.code === undefined ? undefined : secondFactorOf(dto.code),
      },
      client,
    );
  }
}
