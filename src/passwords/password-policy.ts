import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength, ValidateBy, type ValidationOptions } from 'class-validator';

export const PASSWORD_MIN_LENGTH = 8;
/**
 * bcrypt reads only the first 72 bytes of a password. Rather than let two passwords that differ
 * after byte 72 both verify, longer passwords are refused outright (a clear rule, and hashes stay
 * compatible with every other bcrypt implementation, passlib included).
 */
export const PASSWORD_MAX_BYTES = 72;

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function MaxUtf8Bytes(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxUtf8Bytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && utf8Length(value) <= max,
      },
    },
    options,
  );
}

/** The rules every new password meets (signup, password change), with their OpenAPI schema. */
export function IsAcceptablePassword(field = 'password'): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      description: `At least ${PASSWORD_MIN_LENGTH} characters and at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt ignores anything longer, so longer passwords are refused rather than silently truncated).`,
      minLength: PASSWORD_MIN_LENGTH,
      maxLength: PASSWORD_MAX_BYTES,
      format: 'password',
      example: 'correct-horse-battery-staple',
    }),
    IsString({ message: `${field} must be a string.` }),
    MinLength(PASSWORD_MIN_LENGTH, {
      message: `${field} must be at least ${PASSWORD_MIN_LENGTH} characters long.`,
    }),
    MaxUtf8Bytes(PASSWORD_MAX_BYTES, {
      message: `${field} must be at most ${PASSWORD_MAX_BYTES} bytes in UTF-8 (bcrypt would silently ignore the rest).`,
    }),
  );
}
