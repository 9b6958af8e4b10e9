import { ConfigError } from './config.error.js';
import type { EnvReader } from './env-reader.js';

/** A resource server that may introspect tokens, authenticating with HTTP Basic. */
export interface IntrospectionClient {
  readonly id: string;
  readonly secret: string;
}

/** Long enough that guessing is hopeless, as RFC 7662 §4 asks of introspection credentials. */
export const MIN_INTROSPECTION_SECRET = 32;

/** INTROSPECTION_CLIENTS: comma-separated `client_id:client_secret` pairs. */
export function parseIntrospectionClients(read: EnvReader): IntrospectionClient[] {
  const value = read.optional('INTROSPECTION_CLIENTS');
  if (value === undefined) return [];
  const clients = value.split(',').map((pair, index): IntrospectionClient => {
    const trimmed = pair.trim();
    const colon = trimmed.indexOf(':');
    const id = colon > 0 ? trimmed.slice(0, colon) : '';
    const secret = colon > 0 ? trimmed.slice(colon + 1) : '';
    // Never echo the pair: it holds a secret.
    if (!/^[A-Za-z0-9._~-]{1,64}$/.test(id)) {
      throw new ConfigError(
        'INTROSPECTION_CLIENTS',
        `entry ${index + 1} must be client_id:client_secret, the id made of letters, digits and . _ ~ - (at most 64)`,
      );
    }
    if (secret.length < MIN_INTROSPECTION_SECRET || /\s/.test(secret)) {
      throw new ConfigError(
        'INTROSPECTION_CLIENTS',
        `the secret of client "${id}" must be at least ${MIN_INTROSPECTION_SECRET} characters, without spaces`,
      );
    }
    return { id, secret };
  });
  const ids = new Set(clients.map((client) => client.id));
  if (ids.size !== clients.length) {
    throw new ConfigError('INTROSPECTION_CLIENTS', 'names a client_id more than once');
  }
  return clients;
}
