import { describe, expect, it, jest } from '@jest/globals';
import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { createValidationPipe } from '../../common/validation/validation.pipe.js';
import { RefreshDto } from './refresh.dto.js';

const metadata: ArgumentMetadata = { type: 'body', metatype: RefreshDto };
/** An HTML form's body as @fastify/formbody hands it over: an object without a prototype. */
const form = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.assign(Object.create(null) as Record<string, unknown>, fields);

/** The answer of the pipe, or the problem it threw (its detail and field errors). */
async function outcome(pipe: ValidationPipe, body: unknown): Promise<unknown> {
  try {
    return { dto: await pipe.transform(body, metadata) };
  } catch (error) {
    const { detail, errors } = error as { detail?: string; errors?: unknown };
    return { problem: { detail, errors } };
  }
}

/** The class-validator pass alone, as every body was checked before the plain check existed. */
function classValidatorOnly(): ValidationPipe {
  const pipe = createValidationPipe();
  // Nest's own transform, whatever the global pipe adds before it.
  pipe.transform = ValidationPipe.prototype.transform.bind(pipe);
  return pipe;
}

const BODIES: [string, unknown][] = [
  ['JSON', { refresh_token: 'abc' }],
  [
    'JSON with the grant and client fields',
    {
      grant_type: 'refresh_token',
      refresh_token: 'abc',
      client_id: 'c',
      client_secret: 's',
      scope: 'x',
    },
  ],
  ['JSON with unknown fields', { refresh_token: 'abc', email: 'a@example.com', nested: { a: 1 } }],
  ['a form', form({ grant_type: 'refresh_token', refresh_token: 'abc' })],
  ['no body', undefined],
  ['null', null],
  ['an array', [{ refresh_token: 'abc' }]],
  ['a string', 'refresh_token=abc'],
  ['a number', 42],
  ['an empty object', {}],
  ['an empty token', { refresh_token: '' }],
  ['a number token', { refresh_token: 42 }],
  ['a null token', { refresh_token: null }],
  ['an object token', { refresh_token: { $gt: '' } }],
  ['an array token', { refresh_token: ['a', 'b'] }],
  ['an oversize token', { refresh_token: 'x'.repeat(100_000) }],
  ['a number grant_type', { refresh_token: 'abc', grant_type: 1 }],
  ['a null client_id', { refresh_token: 'abc', client_id: null }],
  ['an inherited token', Object.create({ refresh_token: 'abc' })],
];

describe('RefreshDto: the body of /refresh', () => {
  it.each(BODIES)('answers %s exactly as the class-validator pass does', async (_name, body) => {
    expect(await outcome(createValidationPipe(), body)).toEqual(
      await outcome(classValidatorOnly(), body),
    );
  });

  it.each([
    ['JSON', { refresh_token: 'abc', email: 'ignored' }],
    ['a form', form({ grant_type: 'refresh_token', refresh_token: 'abc' })],
  ])('checks a valid %s body without a class-validator pass', async (_name, body) => {
    const pipe = createValidationPipe();
    const validate = jest.spyOn(pipe as unknown as { validate: () => unknown }, 'validate');
    const dto = await pipe.transform(body, metadata);
    expect(validate).not.toHaveBeenCalled();
    expect(dto).toBeInstanceOf(RefreshDto);
    expect({ ...dto }).toEqual(
      'email' in (body as object)
        ? { refresh_token: 'abc' }
        : { grant_type: 'refresh_token', refresh_token: 'abc' },
    );
  });
});
