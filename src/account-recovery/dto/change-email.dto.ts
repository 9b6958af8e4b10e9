import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { IsCurrentPassword } from '../../auth/dto/current-password.decorator.js';

export class ChangeEmailDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'john@new.example.com' })
  @IsString({ message: 'new_email must be a string.' })
  @MaxLength(254, { message: 'new_email must be at most 254 characters long.' })
  @IsEmail({}, { message: 'new_email must be a valid email address.' })
  new_email: string;

  @IsCurrentPassword()
  current_password?: string;

  @ApiPropertyOptional({
    description:
      'Required when two-factor login is on: a 6-digit code from the app, or one of the recovery codes.',
    example: '492039',
    maxLength: 64,
  })
  @IsOptional()
  @IsString({ message: 'code must be a string.' })
  @IsNotEmpty({ message: 'code must not be empty.' })
  @MaxLength(64, { message: 'code must be at most 64 characters long.' })
  code?: string;
}
