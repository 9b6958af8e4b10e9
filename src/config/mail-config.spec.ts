import { describe, expect, it } from '@jest/globals';
import { failure, fromEnv } from '../../test/support/config.js';

describe('mail settings', () => {
  it('write .eml files by default outside production, with the documented defaults', () => {
    expect(fromEnv({ PUBLIC_URL: 'https://auth.example.com/' }).mail).toEqual({
      delivery: 'files',
      smtpUrl: undefined,
      from: 'no-reply@localhost',
      passwordResetUrl: 'https://auth.example.com/password/reset#token={token}',
      emailVerifyUrl: 'https://auth.example.com/email/verify#token={token}',
      passwordResetTtlSeconds: 3600,
      emailVerificationTtlSeconds: 86400,
      emailVerification: 'optional',
      retryDelaySeconds: 30,
    });
  });

  it('send nothing in production without SMTP_URL', () => {
    expect(fromEnv({ NODE_ENV: 'production' }).mail.delivery).toBe('off');
  });

  it('send over SMTP with SMTP_URL, smtp:// or smtps://', () => {
    const config = fromEnv({
      SMTP_URL: 'smtps://mailer:s3cret@smtp.example.com:465',
      MAIL_FROM: 'Example <no-reply@example.com>',
      PASSWORD_RESET_TTL: '30m',
      EMAIL_VERIFICATION_TTL: '2d',
      EMAIL_VERIFICATION: 'required',
      MAIL_RETRY_DELAY: '5s',
    }).mail;
    expect(config).toMatchObject({
      delivery: 'smtp',
      smtpUrl: 'smtps://mailer:s3cret@smtp.example.com:465',
      from: 'Example <no-reply@example.com>',
      passwordResetTtlSeconds: 1800,
      emailVerificationTtlSeconds: 172800,
      emailVerification: 'required',
      retryDelaySeconds: 5,
    });
    expect(fromEnv({ SMTP_URL: 'smtp://localhost:2525' }).mail.delivery).toBe('smtp');
  });

  it('refuse another SMTP_URL scheme without echoing the URL (it may hold a password)', () => {
    const error = failure({ SMTP_URL: 'http://mailer:s3cret@smtp.example.com' });
    expect(error.message).toMatch(/^SMTP_URL /);
    expect(error.message).not.toContain('s3cret');
    expect(failure({ SMTP_URL: 'not a url' }).message).toMatch(/^SMTP_URL /);
  });

  it('want MAIL_FROM with SMTP_URL in production, and a well-formed one anywhere', () => {
    expect(
      failure({ NODE_ENV: 'production', SMTP_URL: 'smtp://smtp.example.com' }).message,
    ).toMatch(/^MAIL_FROM .*required/);
    expect(failure({ MAIL_FROM: 'no-reply@example.com\r\nBcc: x@y.z' }).message).toMatch(
      /^MAIL_FROM /,
    );
    expect(failure({ MAIL_FROM: 'nobody' }).message).toMatch(/^MAIL_FROM /);
  });

  it('refuse EMAIL_VERIFICATION=required in production without SMTP_URL, naming the variable', () => {
    expect(failure({ NODE_ENV: 'production', EMAIL_VERIFICATION: 'required' }).message).toMatch(
      /^EMAIL_VERIFICATION .*SMTP_URL/,
    );
    expect(failure({ EMAIL_VERIFICATION: 'sometimes' }).message).toMatch(/^EMAIL_VERIFICATION /);
  });

  it('take link templates with {token} in the fragment, and refuse it before the "#"', () => {
    const config = fromEnv({
      PASSWORD_RESET_URL: 'https://app.example.com/reset#token={token}',
      EMAIL_VERIFY_URL: 'https://app.example.com/#/verify?t={token}',
    }).mail;
    expect(config.passwordResetUrl).toBe('https://app.example.com/reset#token={token}');
    expect(config.emailVerifyUrl).toBe('https://app.example.com/#/verify?t={token}');
    for (const template of [
      'https://app.example.com/reset?token={token}',
      'https://app.example.com/reset/{token}#x',
      'https://app.example.com/reset#token=',
      'ftp://app.example.com/reset#token={token}',
    ]) {
      expect(failure({ PASSWORD_RESET_URL: template }).message).toMatch(/^PASSWORD_RESET_URL /);
    }
    expect(failure({ EMAIL_VERIFY_URL: '/verify?token={token}' }).message).toMatch(
      /^EMAIL_VERIFY_URL /,
    );
  });

  it('refuse link lifetimes under a minute', () => {
    expect(failure({ PASSWORD_RESET_TTL: '10s' }).message).toMatch(/^PASSWORD_RESET_TTL /);
    expect(failure({ EMAIL_VERIFICATION_TTL: 'soon' }).message).toMatch(/^EMAIL_VERIFICATION_TTL /);
  });
});
