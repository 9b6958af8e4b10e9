/** A stored account. `passwordHash` never leaves the service (see UserView for what clients see). */
export interface User {
  readonly id: string;
  /** The display form, as signed up (after Unicode NFKC normalisation). */
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
  readonly createdAt: Date;
  /** Set by an operator to disable the account: logins and refreshes are refused. */
  readonly disabledAt: Date | null;
  /** When the owner proved the address (followed a link mailed to it); null until then. */
  readonly emailVerifiedAt: Date | null;
}

export interface NewUser {
  readonly username: string;
  readonly email: string;
  readonly passwordHash: string;
}
