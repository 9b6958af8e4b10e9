/**
 * A provider's account linked to one of ours. An identity is the provider's (issuer, subject),
 * never its address: addresses change hands and are not always verified.
 */
export interface Identity {
  readonly id: string;
  readonly userId: string;
  /** Our id of the provider (OIDC_PROVIDERS), shown to the owner. */
  readonly provider: string;
  /** The issuer identifier the ID token carried (`iss`). */
  readonly issuer: string;
  /** The provider's stable id of the person (`sub`), unique within its issuer. */
  readonly subject: string;
  /** The address the provider gave when the identity was linked. */
  readonly email: string;
  readonly createdAt: Date;
  /** The last sign-in through it; null until the first. */
  readonly lastUsedAt: Date | null;
}

export type NewIdentity = Omit<Identity, 'id' | 'lastUsedAt'>;

/** Oldest first (then by id), the order an account's identities are listed in. */
export function byAge(a: Identity, b: Identity): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Raised by `IdentitiesRepository.link` when the (issuer, subject) is already linked to an account. */
export class IdentityConflictError extends Error {
  constructor() {
    super('This identity is already linked to an account');
    this.name = 'IdentityConflictError';
  }
}
