import { describe, expect, it } from '@jest/globals';
import { InFlightLimit } from './in-flight-limit.js';

describe('InFlightLimit', () => {
  it('gives each key at most `max` slots at once, and a released slot back', () => {
    const limit = new InFlightLimit(2);
    const first = limit.tryAcquire('alice');
    const second = limit.tryAcquire('alice');
    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(limit.tryAcquire('alice')).toBeUndefined();
    // Other keys are not affected.
    expect(limit.tryAcquire('bob')).toBeDefined();
    first!();
    expect(limit.tryAcquire('alice')).toBeDefined();
  });

  it('releases a slot once however often its release is called, and forgets idle keys', () => {
    const limit = new InFlightLimit(1);
    const release = limit.tryAcquire('alice')!;
    release();
    release();
    const again = limit.tryAcquire('alice')!;
    expect(limit.tryAcquire('alice')).toBeUndefined();
    again();
    expect(limit.size).toBe(0);
  });
});
