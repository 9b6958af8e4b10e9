import { createHash, randomBytes } from 'node:crypto';

export const RECOVERY_CODE_COUNT = 10;

/** Crockford's base32 alphabet: no I, L, O or U to misread when typing from paper. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * Ten codes of 80 random bits each, as `XXXX-XXXX-XXXX-XXXX`: enough entropy that a fast hash at
 * rest cannot be brute-forced from a database leak.
 */
export function generateRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(10);
    let bits = 0n;
    for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
    let text = '';
    for (let i = 0; i < 16; i += 1) {
      text = ALPHABET[Number(bits & 31n)]! + text;
      bits >>= 5n;
    }
    return text.match(/.{4}/g)!.join('-');
  });
}

/** What users type: any case, with or without dashes or spaces; O/I/L read as 0/1/1. */
export function normalizeRecoveryCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(normalizeRecoveryCode(code)).digest('base64url');
}
