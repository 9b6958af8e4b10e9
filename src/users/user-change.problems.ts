import { ProblemException } from '../common/problems/problem.exception.js';
import type { UserChange } from './user.js';

const NO_SUCH_USER = 'No such user.';
const LAST_ADMIN =
  'This is the last enabled admin: make another account admin first, so someone can still administer the service.';

/** The 404 of an admin (or account) action on an account that is not there. */
export function noSuchUser(): ProblemException {
  return new ProblemException('notFound', NO_SUCH_USER);
}

/** A change the store refused: 404 for an account that is gone, 409 for the last enabled admin. */
export function expectDone(outcome: UserChange): void {
  if (outcome === 'not_found') throw noSuchUser();
  if (outcome === 'last_admin') throw new ProblemException('lastAdmin', LAST_ADMIN);
}
