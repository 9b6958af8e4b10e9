import type { DocumentedProblem } from '../common/problems/api-problem-responses.decorator.js';

/** How a `{id}` in the path of an account route can be refused before any lookup. */
export const PATH_ID_PROBLEMS: readonly DocumentedProblem[] = [
  {
    kind: 'badRequest',
    detail: 'The request could not be understood.',
    description: 'The id is not valid percent-encoding',
  },
  {
    kind: 'uriTooLong',
    detail: 'A part of the address is longer than this service accepts.',
    description: 'The id is over 100 characters',
  },
];
