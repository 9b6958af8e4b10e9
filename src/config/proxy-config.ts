import { isIP } from 'node:net';
import { ConfigError } from './config.error.js';
import type { EnvReader } from './env-reader.js';

/** Fastify's trustProxy: false (socket address), a hop count, or the proxies' addresses. */
export type TrustProxy = false | number | string[];

/** Names proxy-addr (Fastify's trustProxy) understands besides addresses and CIDR ranges. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * TRUST_PROXY: unset or `false` → the socket's address, X-Forwarded-For ignored; a number → that
 * many proxy hops; otherwise a comma-separated list of the proxies' addresses or CIDR ranges.
 */
export function parseTrustProxy(read: EnvReader): TrustProxy {
  const value = read.optional('TRUST_PROXY');
  if (value === undefined || value.trim() === 'false') return false;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const entries = text.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    if (PROXY_RANGE_NAMES.includes(entry)) return true;
    const [address = '', bits, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
  if (!valid) {
    throw new ConfigError(
      'TRUST_PROXY',
      'must be a hop count or a comma-separated list of proxy addresses or CIDR ranges (e.g. 10.0.0.0/8)',
    );
  }
  return entries;
}
