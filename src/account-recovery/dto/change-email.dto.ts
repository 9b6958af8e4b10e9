import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import {
  IsCurrentPassword,
  IsSecondFactorCodeWhenEnabled,
} from '../../auth/dto/current-password.decorator.js';

export class ChangeEmailDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'john@new.example.com' })
  @IsString({ message: 'new_email must be a string.' })
  @MaxLength(254, { message: 'new_email must be at most 254 characters long.' })
  @IsEmail({}, { message: 'new_email must be a valid email address.' })
  new_email: string;

  @IsCurrentPassword()
  current_password?: string;

  @IsSecondFactorCodeWhenEnabled()
  code?: string;
}
