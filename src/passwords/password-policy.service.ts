import { Injectable } from '@nestjs/common';
import { dictionary } from '@zxcvbn-ts/language-common';
import { validationProblem } from '../common/validation/validation.pipe.js';
import { AppConfig } from '../config/app-config.js';

export interface PasswordOwner {
  readonly username: string;
  readonly email: string;
}

/**
 * The rules that need more than the field itself (NIST SP 800-63B §5.1.1.2): not one of the
 * commonest passwords (zxcvbn-ts's list of ~49,000, shipped in the package, nothing fetched), and
 * not the account's own username or email. The length rules live on the DTOs.
 */
@Injectable()
export class PasswordPolicyService {
  private readonly common: ReadonlySet<string> | undefined;

  constructor(config: AppConfig) {
    this.common = config.abuse.passwordDenylist
      ? new Set(dictionary['passwords-common'].map((entry) => entry.toLowerCase()))
      : undefined;
  }

  /** Throws a 422 naming `field` when the password breaks a rule. */
  assertAcceptable(password: string, owner: PasswordOwner, field = 'password'): void {
    const folded = password.toLowerCase();
    let detail: string | undefined;
    if (folded === owner.username.toLowerCase() || folded === owner.email.toLowerCase()) {
      detail = `${field} must not be your username or email.`;
    } else if (this.common?.has(folded)) {
      detail = `${field} is too common: it is one of the passwords attackers try first. Choose another.`;
    }
    if (detail) throw validationProblem([{ field, pointer: `#/${field}`, detail }]);
  }
}
