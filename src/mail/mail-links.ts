import type { AppConfig } from '../config/app-config.js';
import type { EmailLinkPurpose } from './outbox/email-link.js';

/** A revert link lasts a week: long enough for an owner who checks mail rarely. */
export const REVERT_LINK_SECONDS = 7 * 86_400;

export function linkLifetimeSeconds(purpose: EmailLinkPurpose, config: AppConfig): number {
  switch (purpose) {
    case 'password_reset':
      return config.mail.passwordResetTtlSeconds;
    case 'email_revert':
      return REVERT_LINK_SECONDS;
    default:
      return config.mail.emailVerificationTtlSeconds;
  }
}

/**
 * The URL a mail carries: PASSWORD_RESET_URL or EMAIL_VERIFY_URL (our own pages by default), the
 * token in the fragment. A revert link opens the verify page, which tells the user what it did.
 */
export function linkUrl(purpose: EmailLinkPurpose, token: string, config: AppConfig): string {
  const template =
    purpose === 'password_reset' ? config.mail.passwordResetUrl : config.mail.emailVerifyUrl;
  const url = template.replace('{token}', token);
  return purpose === 'email_revert' && template === defaultVerifyUrl(config)
    ? `${url}&action=revert`
    : url;
}

function defaultVerifyUrl(config: AppConfig): string {
  return `${config.publicUrl}/email/verify#token={token}`;
}
