import { ConfigError } from './config.error.js';
import type { EnvReader } from './env-reader.js';

/**
 * How mails leave: over SMTP (SMTP_URL), as .eml files in DATA_DIR/mail (no SMTP_URL outside
 * production), or not at all (production without SMTP_URL: the mail endpoints answer 503).
 */
export type MailDelivery = 'smtp' | 'files' | 'off';

export interface MailConfig {
  readonly delivery: MailDelivery;
  /** smtp://user:pass@host:587 or smtps://…; holds a password, so it is never logged or echoed. */
  readonly smtpUrl: string | undefined;
  readonly from: string;
  /** Link templates; `{token}` sits in the fragment, so the token never reaches a server log. */
  readonly passwordResetUrl: string;
  readonly emailVerifyUrl: string;
  readonly passwordResetTtlSeconds: number;
  readonly emailVerificationTtlSeconds: number;
  /** `required`: an unverified account cannot log in. */
  readonly emailVerification: 'optional' | 'required';
  /** The first retry's delay after a failed send; it doubles up to 15 minutes. */
  readonly retryDelaySeconds: number;
}

export const DEFAULT_MAIL_FROM = 'no-reply@localhost';
/** A bare address or `Name <address>`, on one line (a header value). */
const MAIL_FROM_PATTERN = /^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

export function parseMailConfig(
  read: EnvReader,
  environment: string,
  publicUrl: string,
): MailConfig {
  const smtpUrl = parseSmtpUrl(read.optional('SMTP_URL'));
  const production = environment === 'production';
  const explicitFrom = read.optional('MAIL_FROM')?.trim();
  if (smtpUrl && production && explicitFrom === undefined) {
    throw new ConfigError('MAIL_FROM', 'is required with SMTP_URL in production');
  }
  const from = explicitFrom ?? DEFAULT_MAIL_FROM;
  if (!MAIL_FROM_PATTERN.test(from)) {
    throw new ConfigError('MAIL_FROM', 'must be an address, or "Name <address>", on one line');
  }
  const emailVerification = read.oneOf('EMAIL_VERIFICATION', ['optional', 'required'], 'optional');
  const delivery: MailDelivery = smtpUrl ? 'smtp' : production ? 'off' : 'files';
  if (emailVerification === 'required' && delivery === 'off') {
    throw new ConfigError(
      'EMAIL_VERIFICATION',
      'is "required", but SMTP_URL is not set: in production no verification mail could be sent',
    );
  }
  return {
    delivery,
    smtpUrl,
    from,
    passwordResetUrl: parseLinkTemplate(
      'PASSWORD_RESET_URL',
      read.optional('PASSWORD_RESET_URL'),
      `${publicUrl}/password/reset#token={token}`,
    ),
    emailVerifyUrl: parseLinkTemplate(
      'EMAIL_VERIFY_URL',
      read.optional('EMAIL_VERIFY_URL'),
      `${publicUrl}/email/verify#token={token}`,
    ),
    passwordResetTtlSeconds: read.duration('PASSWORD_RESET_TTL', '1h', 60),
    emailVerificationTtlSeconds: read.duration('EMAIL_VERIFICATION_TTL', '24h', 60),
    emailVerification,
    retryDelaySeconds: read.duration('MAIL_RETRY_DELAY', '30s', 1),
  };
}

/** SMTP_URL: smtp:// (STARTTLS when offered) or smtps://. Never echoed: it may hold a password. */
function parseSmtpUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') || !url.hostname) {
    throw new ConfigError('SMTP_URL', 'must be smtp://[user:pass@]host[:port] or smtps://…');
  }
  return text;
}

/**
 * PASSWORD_RESET_URL / EMAIL_VERIFY_URL: an absolute http(s) URL with `{token}` in its fragment.
 * A token anywhere before the `#` would travel to a server: its logs, a proxy's, a `Referer`.
 */
function parseLinkTemplate(name: string, value: string | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  const text = value.trim();
  const hash = text.indexOf('#');
  const token = text.indexOf('{token}');
  if (token < 0) throw new ConfigError(name, 'must contain {token}');
  if (hash < 0 || token < hash) {
    throw new ConfigError(
      name,
      'must put {token} after a "#" (e.g. https://app.example.com/reset#token={token}): a token in the path or query reaches server logs and Referer headers',
    );
  }
  let url: URL | undefined;
  try {
    url = new URL(text.replace('{token}', 'x'));
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(name, 'must be an absolute http:// or https:// URL');
  }
  return text;
}
