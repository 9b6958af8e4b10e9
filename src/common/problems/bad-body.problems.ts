import type { DocumentedProblem } from './api-problem-responses.decorator.js';

/**
 * What any route that takes a body can answer before its own checks run: a body that does not
 * parse (or nests too deep), one over the 64 KB limit, a media type it does not take. Spread it
 * into @ApiProblemResponses or @ApiOAuthErrorResponses beside the route's own problems.
 */
export const BAD_BODY = [
  { kind: 'malformedRequest', detail: 'The request body could not be parsed.' },
  { kind: 'payloadTooLarge' },
  { kind: 'unsupportedMediaType' },
] as const satisfies readonly DocumentedProblem[];
