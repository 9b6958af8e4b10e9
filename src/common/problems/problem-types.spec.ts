import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { PROBLEM_TYPES } from './problem-types.js';

describe('PROBLEM_TYPES', () => {
  it('has a row, with its status, in docs/api-and-errors.md for every type', () => {
    const doc = readFileSync(new URL('../../../docs/api-and-errors.md', import.meta.url), 'utf8');
    const rows = doc.split('\n').filter((line) => line.startsWith('| '));
    const undocumented = Object.values(PROBLEM_TYPES)
      .filter(
        ({ type, status }) =>
          !rows.some((row) => row.includes(`\`${type}\``) && row.includes(` ${status} `)),
      )
      .map(({ type, status }) => `${status} ${type}`);
    expect(undocumented).toEqual([]);
  });
});
