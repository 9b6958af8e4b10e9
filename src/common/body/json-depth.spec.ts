import { describe, expect, it } from '@jest/globals';
import { nestsDeeperThan } from './json-depth.js';

const nested = (depth: number, make: (inner: unknown) => unknown): unknown => {
  let value: unknown = 'x';
  for (let level = 0; level < depth; level += 1) value = make(value);
  return value;
};

describe('nestsDeeperThan', () => {
  it('counts each object or array as one level', () => {
    expect(nestsDeeperThan('john', 0)).toBe(false);
    expect(nestsDeeperThan({ username: 'john' }, 1)).toBe(false);
    expect(nestsDeeperThan({ username: 'john' }, 0)).toBe(true);
    expect(nestsDeeperThan({ roles: ['admin'] }, 2)).toBe(false);
    expect(nestsDeeperThan({ roles: ['admin'] }, 1)).toBe(true);
    expect(nestsDeeperThan({ a: 1, b: { c: [{ d: 1 }] } }, 3)).toBe(true);
  });

  it('walks 100,000 levels of arrays or objects without overflowing the stack', () => {
    expect(
      nestsDeeperThan(
        nested(100_000, (inner) => [inner]),
        16,
      ),
    ).toBe(true);
    expect(
      nestsDeeperThan(
        nested(100_000, (inner) => ({ a: inner })),
        16,
      ),
    ).toBe(true);
    expect(
      nestsDeeperThan(
        nested(16, (inner) => [inner]),
        16,
      ),
    ).toBe(false);
  });
});
