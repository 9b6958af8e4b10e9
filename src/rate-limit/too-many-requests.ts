import { ProblemException } from '../common/problems/problem.exception.js';

/** 429 with Retry-After (RFC 9110 §10.2.3), in seconds. */
export function tooManyRequests(retryAfterSeconds: number, detail: string): ProblemException {
  return new ProblemException('tooManyRequests', detail, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
}

/**
 * A login refused by a failed-login counter. One body whichever counter it was: the answer must not
 * say whether the account exists, nor which limit an attacker ran into (the audit trail does).
 */
export function tooManyFailedLogins(retryAfterSeconds: number): ProblemException {
  return tooManyRequests(retryAfterSeconds, 'Too many failed logins; try again later.');
}
