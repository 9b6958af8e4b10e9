import { createHash, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ProblemException } from '../../common/problems/problem.exception.js';

interface StoredClient {
  readonly id: string;
  /** SHA-256 of the secret: fixed-length digests compare in constant time. */
  readonly secretDigest: Buffer;
}

/**
 * The resource servers of INTROSPECTION_CLIENTS, authenticated with HTTP Basic (RFC 6749 §2.3.1,
 * the only method our metadata advertises for /introspect). Secrets are compared in constant time
 * and every configured client is compared, so timing tells neither a secret nor which ids exist.
 */
@Injectable()
export class IntrospectionClients {
  private readonly clients: readonly StoredClient[];

  constructor(config: AppConfig) {
    this.clients = config.introspectionClients.map((client) => ({
      id: client.id,
      secretDigest: digest(client.secret),
    }));
  }

  get configured(): boolean {
    return this.clients.length > 0;
  }

  /** The client's id, or a 401 `invalid_client` with a Basic challenge (RFC 6749 §5.2). */
  authenticate(authorization: string | undefined): string {
    let match: string | undefined;
    for (const credentials of basicCredentials(authorization)) {
      const given = digest(credentials.secret);
      for (const client of this.clients) {
        const secretMatches = timingSafeEqual(client.secretDigest, given);
        if (secretMatches && client.id === credentials.id) match = client.id;
      }
    }
    if (match) return match;
    throw new ProblemException('invalidClient', 'Client authentication failed.', {
      headers: { 'WWW-Authenticate': 'Basic realm="introspection"' },
      extensions: { error: 'invalid_client' },
    });
  }
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * The readings of `Basic base64(id:secret)`: each part form-urlencoded, as RFC 6749 §2.3.1 says
 * and openid-client sends them, and the pair as it stands, as many other clients send it (a
 * secret with `+` or `%` means something else in each).
 */
export function basicCredentials(
  authorization: string | undefined,
): { id: string; secret: string }[] {
  if (!authorization || authorization.slice(0, 6).toLowerCase() !== 'basic ') return [];
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return [];
  const raw = { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  try {
    return [raw, { id: formDecode(raw.id), secret: formDecode(raw.secret) }];
  } catch {
    return [raw];
  }
}

function formDecode(text: string): string {
  return decodeURIComponent(text.replaceAll('+', ' '));
}
