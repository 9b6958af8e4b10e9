import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { PROBLEM_CONTENT_TYPE } from './problem-details.js';
import { ProblemDetailsDto } from './problem-details.dto.js';
import { PROBLEM_TYPES, type ProblemKind } from './problem-types.js';

const EXAMPLE_ID = '5b0f3f1e-8c1a-4b52-9d3e-2f0c6a1b7e44';

/**
 * Documents error responses as problem details, one example per kind:
 * `@ApiProblemResponses({ kind: 'usernameTaken', detail: 'Username already taken' }, …)`.
 */
export function ApiProblemResponses(
  ...problems: readonly { kind: ProblemKind; detail?: string; description?: string }[]
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
        [PROBLEM_CONTENT_TYPE.split(';')[0] ?? 'application/problem+json']: {
          schema: { $ref: getSchemaPath(ProblemDetailsDto) },
          examples: Object.fromEntries(
            group.map((p) => {
              const { type, title } = PROBLEM_TYPES[p.kind];
              const value = {
                type,
                title,
                status,
                detail: p.detail ?? title,
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
