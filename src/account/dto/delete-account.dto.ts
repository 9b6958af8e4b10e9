import { IsCurrentPassword } from '../../auth/dto/current-password.decorator.js';

export class DeleteAccountDto {
  @IsCurrentPassword()
  current_password?: string;
}
