import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * `current_password` of a prove-it-is-you route. Optional to the pipe: an account without a
 * password (made through a provider) leaves it out and relies on a recent sign-in, and
 * ReauthenticationService refuses its absence for an account that has one, with the answer this
 * pipe gave while it was required (`current_password must not be empty.`).
 */
export function IsCurrentPassword(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description:
        'The account’s current password. Required when the account has one; an account without a password (made through an identity provider) leaves it out and instead needs a sign-in within `REAUTH_MAX_AGE` (else `403 reauthentication-required`).',
      format: 'password',
      maxLength: 1024,
      example: 'correct-horse-battery-staple',
    }),
    IsOptional(),
    IsString({ message: 'current_password must be a string.' }),
    IsNotEmpty({ message: 'current_password must not be empty.' }),
    MaxLength(1024, { message: 'current_password must be at most 1024 characters long.' }),
  );
}

/**
 * `code` beside `current_password` on a route that asks for the second factor only when it is on:
 * a 6-digit code from the app or a recovery code. Optional to the pipe; ReauthenticationService
 * answers its absence when two-factor login is on.
 */
export function IsSecondFactorCodeWhenEnabled(): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({
      description:
        'Required when two-factor login is on: a 6-digit code from the app, or one of the recovery codes.',
      example: '492039',
      maxLength: 64,
    }),
    IsOptional(),
    IsString({ message: 'code must be a string.' }),
    IsNotEmpty({ message: 'code must not be empty.' }),
    MaxLength(64, { message: 'code must be at most 64 characters long.' }),
  );
}
