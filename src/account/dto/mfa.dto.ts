import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, Matches, MaxLength } from 'class-validator';
import { IsCurrentPassword } from '../../auth/dto/current-password.decorator.js';

const CODE_PATTERN = /^\d{6}$/;
const CODE_MESSAGE = 'code must be the 6 digits your authenticator app shows.';

class CurrentPasswordDto {
  @IsCurrentPassword()
  current_password?: string;
}

export class StartEnrolmentDto extends CurrentPasswordDto {}

export class ConfirmEnrolmentDto {
  @ApiProperty({ example: '492039', pattern: CODE_PATTERN.source })
  @IsString({ message: CODE_MESSAGE })
  @Matches(CODE_PATTERN, { message: CODE_MESSAGE })
  code: string;
}

/** The password and a second factor: a code from the app or a recovery code (`code` takes both). */
export class SecondFactorCheckDto extends CurrentPasswordDto {
  @ApiProperty({
    description: 'A 6-digit code from the app, or one of the recovery codes.',
    example: '492039',
    maxLength: 64,
  })
  @IsString({ message: 'code must be a string.' })
  @IsNotEmpty({ message: 'code must not be empty.' })
  @MaxLength(64, { message: 'code must be at most 64 characters long.' })
  code: string;
}

export class EnrolmentDto {
  @ApiProperty({ description: 'The base32 secret, for typing into an app.' })
  secret: string;

  @ApiProperty({
    example: 'otpauth://totp/auth.example.com:john?issuer=auth.example.com&secret=…',
  })
  otpauth_uri: string;

  @ApiProperty({ description: 'The same URI as an SVG QR code, for a page to show.' })
  qr_svg: string;
}

export class RecoveryCodesDto {
  @ApiProperty({
    description: 'Ten single-use codes, shown this once. Keep them somewhere safe.',
    example: ['7KQ2-M9XD-4RTB-PN3E'],
  })
  recovery_codes: string[];
}
