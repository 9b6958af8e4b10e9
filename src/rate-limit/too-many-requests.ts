import { ProblemException } from '../common/problems/problem.exception.js';

/** 429 with Retry-After (RFC 9110 §10.2.3), in seconds. */
export function tooManyRequests(retryAfterSeconds: number, detail: string): ProblemException {
  return new ProblemException('tooManyRequests', detail, {
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
  });
}
