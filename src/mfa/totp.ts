import { Secret, TOTP } from 'otpauth';

/**
 * RFC 6238 with the authenticator apps' defaults (Google Authenticator, 1Password, Authy ignore
 * anything else): SHA-1, 6 digits, 30-second steps.
 */
const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD_SECONDS = 30;
/** One step of clock drift either way (RFC 6238 §5.2's recommended window). */
const DRIFT_STEPS = 1;

/** 160 bits, the length RFC 4226 §4 recommends, as base32 for typing into an app. */
export function generateTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** `otpauth://totp/ISSUER:username?secret=…&issuer=…` (Google's Key Uri Format). */
export function totpUri(secret: string, issuer: string, username: string): string {
  return totp(secret, issuer, username).toString();
}

/**
 * The time step a code belongs to, if it is right for `now` within the drift window. The caller
 * must refuse a step at or before the last one accepted (RFC 6238 §5.2: no replay).
 */
export function acceptedStep(secret: string, code: string, now: number): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totp(secret).validate({ token: code, timestamp: now, window: DRIFT_STEPS });
  if (delta === null) return undefined;
  return Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

function totp(secret: string, issuer = '', label = ''): TOTP {
  return new TOTP({
    issuer,
    label,
    issuerInLabel: issuer !== '',
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}
