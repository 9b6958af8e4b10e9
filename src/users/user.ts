/** A stored account. `passwordHash` never leaves the service (see UserView for what clients see). */
export interface User {
  readonly id: string;
  /** The display form, as signed up (after Unicode NFKC normalisation). */
  readonly username: string;
  readonly email: string;
  /** Null for an account created through a provider, until its owner sets one (/password/forgot). */
  readonly passwordHash: string | null;
  readonly createdAt: Date;
  /** Set by an admin or operator to disable the account: logins and refreshes are refused. */
  readonly disabledAt: Date | null;
  /** When the owner proved the address (followed a link mailed to it); null until then. */
  readonly emailVerifiedAt: Date | null;
  /** Why it was disabled, as the admin wrote it. */
  readonly disabledReason: string | null;
  readonly lastLoginAt: Date | null;
  /** `user` first, then the others sorted (see normalizeRoles). */
  readonly roles: readonly string[];
}

export interface NewUser {
  readonly username: string;
  readonly email: string;
  /** Null: an account created through a provider, which has no password. */
  readonly passwordHash: string | null;
  /** Roles besides `user`, which everyone has; none when absent. */
  readonly roles?: readonly string[];
}

/** What an admin's change to an account came to. */
export type UserChange = 'done' | 'not_found' | 'last_admin';

/** Which accounts an admin is looking for; every field narrows the search. */
export interface UserSearch {
  /** The start of the username or email, in any case. */
  readonly prefix?: string;
  readonly role?: string;
  readonly disabled?: boolean;
  /** Only accounts whose username key sorts after this one (the page cursor). */
  readonly after?: string;
}

/** Whether the account has a password (one created through a provider has none until it sets one). */
export function hasPassword(user: Pick<User, 'passwordHash'>): boolean {
  return user.passwordHash !== null;
}
