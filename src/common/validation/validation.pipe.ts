import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import type { FieldError } from '../problems/problem-details.js';
import { ProblemException } from '../problems/problem.exception.js';

const NOT_AN_OBJECT = 'The request body must be a JSON object.';

/**
 * A DTO whose common valid body a plain check recognises (for a hot path: a class-validator pass
 * costs tens of µs). `fromValidBody` answers the DTO exactly as the pipe would, or undefined for
 * anything it does not accept at a glance, which the class-validator pass then judges: the rules
 * and error answers stay the decorators'.
 */
interface PlainlyChecked {
  fromValidBody(body: unknown): object | undefined;
}

class AppValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const dto = (metadata.metatype as Partial<PlainlyChecked> | undefined)?.fromValidBody?.(value);
    return dto ? Promise.resolve(dto) : super.transform(value, metadata);
  }
}

/**
 * The global validation pipe: unknown fields are dropped (the tutorial's client sends `email` to
 * /login; OAuth2 clients send `client_id`), and failures become a 422 naming each field.
 */
export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
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
