import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';

export class ForgotPasswordDto {
  @ApiProperty({ format: 'email', maxLength: 254, example: 'john@example.com' })
  @IsString({ message: 'email must be a string.' })
  @MaxLength(254, { message: 'email must be at most 254 characters long.' })
  @IsEmail({}, { message: 'email must be a valid email address.' })
  email: string;
}

export class AcceptedDto {
  @ApiProperty({ example: 'If that address is registered, a reset link is on its way.' })
  message: string;
}
