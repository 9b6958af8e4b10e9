import { describe, expect, it } from '@jest/globals';
import { GIVE_UP_AFTER_MS, MAX_RETRY_DELAY_MS, nextAttemptAt } from './retry-schedule.js';

describe('the retry schedule', () => {
  const queuedAt = new Date('2026-11-30T00:00:00Z');

  /** Follows the schedule from a first failure at `queuedAt`, as the sender would. */
  function attempts(firstDelayMs: number): Date[] {
    const times = [queuedAt];
    let now = queuedAt;
    for (let failures = 1; ; failures++) {
      const next = nextAttemptAt(failures, queuedAt, now, firstDelayMs);
      if (!next) return times;
      times.push(next);
      now = next;
    }
  }

  it('retries first within 30 s, then doubling: 30 s, 1, 2, 4, 8 min, then every 15 min', () => {
    const gaps = attempts(30_000)
      .slice(0, 8)
      .map((time, i, all) => (i === 0 ? 0 : time.getTime() - all[i - 1]!.getTime()) / 1000);
    expect(gaps).toEqual([0, 30, 60, 120, 240, 480, 900, 900]);
  });

  it('never waits more than 15 minutes, and gives up after 24 hours', () => {
    const times = attempts(30_000);
    const gaps = times.slice(1).map((time, i) => time.getTime() - times[i]!.getTime());
    expect(Math.max(...gaps)).toBe(MAX_RETRY_DELAY_MS);
    const last = times.at(-1)!;
    expect(last.getTime() - queuedAt.getTime()).toBeLessThanOrEqual(GIVE_UP_AFTER_MS);
    expect(last.getTime() - queuedAt.getTime()).toBeGreaterThan(
      GIVE_UP_AFTER_MS - MAX_RETRY_DELAY_MS,
    );
    // About 100 attempts in the day: 6 while doubling, then four an hour.
    expect(times.length).toBeGreaterThan(90);
    expect(times.length).toBeLessThan(105);
  });

  it('follows a shorter first delay the same way', () => {
    const gaps = attempts(1_000)
      .slice(1, 5)
      .map((time, i, all) => time.getTime() - (i === 0 ? queuedAt : all[i - 1]!).getTime());
    expect(gaps).toEqual([1_000, 2_000, 4_000, 8_000]);
  });
});
