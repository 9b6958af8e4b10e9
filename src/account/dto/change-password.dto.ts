import { IsCurrentPassword } from '../../auth/dto/current-password.decorator.js';
import { IsAcceptablePassword } from '../../passwords/password-policy.js';

export class ChangePasswordDto {
  @IsCurrentPassword()
  current_password?: string;

  @IsAcceptablePassword('new_password')
  new_password: string;
}
