import { IsLinkToken } from './link-token.js';

export class VerifyEmailDto {
  @IsLinkToken()
  token: string;
}
