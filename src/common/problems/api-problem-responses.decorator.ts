import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-details.js';
import { ProblemDetailsDto } from './problem-details.dto.js';
import { PROBLEM_TYPES, type ProblemKind } from './problem-types.js';

const EXAMPLE_ID = '5b0f3f1e-8c1a-4b52-9d3e-2f0c6a1b7e44';

export interface DocumentedProblem {
  readonly kind: ProblemKind;
  readonly detail?: string;
  readonly description?: string;
  /** The OAuth2 `error` code (RFC 6749 §5.2) an OAuth2 endpoint adds. */
  readonly error?: string;
  /** Other extension members the example shows (RFC 9457 §3.2), e.g. `max_age`. */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/**
 * Documents error responses as problem details, one example per kind:
 * `@ApiProblemResponses({ kind: 'usernameTaken', detail: 'Username already taken' }, …)`.
 */
export function ApiProblemResponses(
  ...problems: readonly DocumentedProblem[]
): MethodDecorator & ClassDecorator {
  return problemResponses(
    PROBLEM_CONTENT_TYPE.split(';')[0] ?? 'application/problem+json',
    problems,
  );
}

/**
 * The same for an @OAuthEndpoint(): served as `application/json`, each with its `error` code
 * (`invalid_request` for a bad body, `temporarily_unavailable` for 429 and 503 unless given).
 */
export function ApiOAuthErrorResponses(
  ...problems: readonly DocumentedProblem[]
): MethodDecorator & ClassDecorator {
  return problemResponses(
    'application/json',
    problems.map((problem) => ({ ...problem, error: problem.error ?? defaultOAuthError(problem) })),
  );
}

function defaultOAuthError(problem: DocumentedProblem): string {
  const { status } = PROBLEM_TYPES[problem.kind];
  if (status === 429 || status === 503) return 'temporarily_unavailable';
  if (status === 401) return 'invalid_client';
  return 'invalid_request';
}

function problemResponses(
  mediaType: string,
  problems: readonly DocumentedProblem[],
): MethodDecorator & ClassDecorator {
  const byStatus = new Map<number, typeof problems>();
  for (const problem of problems) {
    const { status } = PROBLEM_TYPES[problem.kind];
    byStatus.set(status, [...(byStatus.get(status) ?? []), problem]);
  }
  const responses = [...byStatus].map(([status, group]) =>
    ApiResponse({
      status,
      description: group.map((p) => p.description ?? PROBLEM_TYPES[p.kind].title).join('; '),
      content: {
        [mediaType]: {
          schema: { $ref: getSchemaPath(ProblemDetailsDto) },
          examples: Object.fromEntries(
            group.map((p) => {
              const { type, title } = PROBLEM_TYPES[p.kind];
              const value = {
                type,
                title,
                status,
                detail: p.detail ?? title,
                ...(p.error ? { error: p.error } : {}),
                ...p.extensions,
                request_id: EXAMPLE_ID,
              };
              return [p.kind, { value }];
            }),
          ),
        },
      },
    }),
  );
  return applyDecorators(ApiExtraModels(ProblemDetailsDto), ...responses);
}
