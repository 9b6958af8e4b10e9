import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { IsAcceptablePassword } from '../../passwords/password-policy.js';

export class ChangePasswordDto {
  @ApiProperty({ format: 'password', maxLength: 1024, example: 'correct-horse-battery-staple' })
  @IsString({ message: 'current_password must be a string.' })
  @IsNotEmpty({ message: 'current_password must not be empty.' })
  @MaxLength(1024, { message: 'current_password must be at most 1024 characters long.' })
  current_password: string;

  @IsAcceptablePassword('new_password')
  new_password: string;
}
