import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEmail, IsString, Matches, MaxLength } from 'class-validator';
import { IsAcceptablePassword } from '../../passwords/password-policy.js';

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
const nfkc = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.normalize('NFKC') : value;

export class SignupDto {
  @ApiProperty({
    description:
      '3–32 ASCII letters, digits, `_`, `.` or `-`, after Unicode NFKC (so full-width forms fold to ASCII; other scripts are refused, which rules out look-alike names). Unique case-insensitively; the form given here is kept for display.',
    pattern: USERNAME_PATTERN.source,
    minLength: 3,
    maxLength: 32,
    example: 'john',
  })
  @Transform(nfkc)
  @IsString({ message: 'username must be a string.' })
  @Matches(USERNAME_PATTERN, {
    message: 'username must be 3 to 32 characters: ASCII letters, digits, "_", "." or "-".',
  })
  username: string;

  @ApiProperty({
    description: 'Unique case-insensitively.',
    format: 'email',
    maxLength: 254,
    example: 'john@example.com',
  })
  @IsString({ message: 'email must be a string.' })
  @MaxLength(254, { message: 'email must be at most 254 characters long.' })
  @IsEmail({}, { message: 'email must be a valid email address.' })
  email: string;

  @IsAcceptablePassword()
  password: string;
}
