import { createHmac } from 'node:crypto';

/** Reads a JWT's header and payload without verifying it (for assertions only). */
export function decodeJwt(token: string): {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
} {
  const [header = '', payload = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
  };
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Builds a token by hand, so tests can forge exactly the token they want to see refused. */
export function forgeJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  sign: { hmac: 'sha256' | 'sha384' | 'sha512'; key: string | Buffer } | 'unsigned',
): string {
  const input = `${b64(header)}.${b64(payload)}`;
  if (sign === 'unsigned') return `${input}.`;
  const signature = createHmac(sign.hmac, sign.key).update(input).digest('base64url');
  return `${input}.${signature}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
