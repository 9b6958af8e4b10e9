import { applyDecorators, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { ApiProblemResponses } from '../common/problems/api-problem-responses.decorator.js';
import { ProblemException } from '../common/problems/problem.exception.js';

const NOT_A_UUID = 'The user id must be a UUID.';

/** The `{id}` of a user in an admin route: a UUID, else 400 (never a query for garbage). */
export const UserIdParam = (): ParameterDecorator =>
  Param(
    'id',
    new ParseUUIDPipe({ exceptionFactory: () => new ProblemException('badRequest', NOT_A_UUID) }),
  );

/** Documents `{id}` and what it can be refused with: not a UUID, too long, no such user. */
export function ApiUserId(): MethodDecorator {
  return applyDecorators(
    ApiParam({ name: 'id', format: 'uuid', description: 'The user’s id.' }),
    ApiProblemResponses(
      {
        kind: 'badRequest',
        detail: NOT_A_UUID,
        description: 'The id is not a UUID, or not valid percent-encoding',
      },
      {
        kind: 'uriTooLong',
        detail: 'A part of the address is longer than this service accepts.',
        description: 'The id is over 100 characters',
      },
      { kind: 'notFound', detail: 'No such user.' },
    ),
  );
}
