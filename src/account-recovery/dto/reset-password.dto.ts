import { IsAcceptablePassword } from '../../passwords/password-policy.js';
import { IsLinkToken } from './link-token.js';

export class ResetPasswordDto {
  @IsLinkToken()
  token: string;

  @IsAcceptablePassword('new_password')
  new_password: string;
}
