import { jest } from '@jest/globals';

export interface DateClock {
  readonly now: () => number;
  readonly advance: (seconds: number) => void;
}

/**
 * Fakes only Date, so a test can move time past a window (a TOTP step, REAUTH_MAX_AGE) without
 * waiting; timers, I/O and the database run as usual. Starts at the beginning of a 30-second TOTP
 * step, so each test knows which step a code belongs to. Undo with `jest.useRealTimers()`.
 */
export function useDateClock(): DateClock {
  jest.useFakeTimers({
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
    now: Math.ceil(Date.now() / 30_000) * 30_000 + 1_000,
  });
  return {
    now: () => Date.now(),
    advance: (seconds) => jest.setSystemTime(Date.now() + seconds * 1000),
  };
}
