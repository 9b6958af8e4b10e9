import { ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldError } from '../problems/problem-details.js';
import { ProblemException } from '../problems/problem.exception.js';

const NOT_AN_OBJECT = 'The request body must be a JSON object.';

/**
 * The global validation pipe: unknown fields are dropped (the tutorial's client sends `email` to
 * /login; OAuth2 clients send `client_id`), and failures become a 422 naming each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    transform: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => validationProblem(flatten(errors)),
  });
}

export function validationProblem(errors: readonly FieldError[]): ProblemException {
  const detail = errors.map((error) => error.detail).join(' ') || NOT_AN_OBJECT;
  return new ProblemException('validation', detail, { errors });
}

function flatten(errors: readonly ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message): FieldError => ({
      field,
      pointer: `#/${field.replaceAll('.', '/')}`,
      detail: field === '' || error.constraints?.unknownValue ? NOT_AN_OBJECT : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}
