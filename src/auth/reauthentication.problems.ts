import type { DocumentedProblem } from '../common/problems/api-problem-responses.decorator.js';
import { reauthenticationRequired } from './reauthentication.service.js';

/** The default REAUTH_MAX_AGE, for the documented example. */
const EXAMPLE_MAX_AGE_SECONDS = 300;

/** How a prove-it-is-you route refuses an account without a password whose sign-in is too old. */
export const REAUTHENTICATION_REQUIRED: DocumentedProblem = {
  kind: 'reauthenticationRequired',
  detail: reauthenticationRequired(EXAMPLE_MAX_AGE_SECONDS).problem.detail,
  description:
    'An account without a password (made through an identity provider) whose session did not sign in within `REAUTH_MAX_AGE` (`max_age`, in seconds): sign in again through the provider (`GET /authorize`), then retry with the new token',
  extensions: { max_age: EXAMPLE_MAX_AGE_SECONDS },
};

/**
 * How a route that checks the current password and, when two-factor login is on, a code answers once
 * `/login`'s failed-login counters are spent (ReauthenticationService.underLimits).
 */
export const REAUTH_TOO_MANY: DocumentedProblem = {
  kind: 'tooManyRequests',
  detail: 'Too many wrong passwords or codes; try again later.',
  description:
    'The failed-login counters of `/login` are spent for the account from this client (every wrong password or code here counts, and a right one is refused too until `Retry-After`), or two checks of the account are already under way (`Retry-After: 1`)',
};
