import type { ClientInfo } from '../common/decorators/client-info.decorator.js';

/** Who is acting: an admin's (or the account's own) id, or null for the command line. */
export interface Actor {
  readonly id: string | null;
  readonly client: ClientInfo;
}
