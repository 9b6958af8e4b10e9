/** Raised by a repository when a unique username or email is already taken. */
export class UserConflictError extends Error {
  constructor(readonly field: 'username' | 'email') {
    super(`${field} already exists`);
    this.name = 'UserConflictError';
  }
}
