import type { Identity, NewIdentity } from './identity.js';

/** The identities linked to accounts; the injection token of the store. */
export abstract class IdentitiesRepository {
  abstract findByIssuerSubject(issuer: string, subject: string): Promise<Identity | undefined>;

  /** The account's identities, oldest first. */
  abstract listForUser(userId: string): Promise<Identity[]>;

  /**
   * Links an identity to an account; the store's unique (issuer, subject) decides between two
   * concurrent links: the loser gets IdentityConflictError.
   */
  abstract link(identity: NewIdentity): Promise<Identity>;

  /** Removes one of the account's identities; false when it has none with that id. */
  abstract unlink(userId: string, id: string): Promise<boolean>;

  /** Removes every identity of the account; answers those removed. */
  abstract unlinkAllForUser(userId: string): Promise<Identity[]>;

  /** Records a sign-in through the identity. */
  abstract touchLastUsed(id: string, at: Date): Promise<void>;
}
