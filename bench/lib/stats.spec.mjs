import { describe, expect, it } from '@jest/globals';
import { EXIT, isStable, median, quantile, spread, untilStable, verdict } from './stats.mjs';

describe('bench statistics', () => {
  it('interpolates quantiles between ranks', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.25)).toBe(2);
    expect(quantile([1, 2, 3, 4], 0.75)).toBe(3.25);
    expect(quantile([7], 0.9)).toBe(7);
  });

  it('measures the interquartile range around the median, as fractions of it', () => {
    const { median: middle, low, high } = spread([0.9, 1, 1, 1, 1.2]);
    expect(middle).toBe(1);
    expect(low).toBeCloseTo(0);
    expect(high).toBeCloseTo(0);
    expect(spread([0.8, 0.9, 1, 1.1, 1.2])).toMatchObject({
      low: expect.closeTo(-0.1),
      high: expect.closeTo(0.1),
    });
  });

  it('calls values stable when their middle half is within the tolerance of the median', () => {
    expect(isStable([1.0, 1.02, 0.98, 1.3, 0.7], 0.05)).toBe(true); // outliers outside the IQR
    expect(isStable([0.9, 0.96, 1, 1.04, 1.1], 0.05)).toBe(true);
    expect(isStable([0.8, 0.9, 1, 1.1, 1.2], 0.05)).toBe(false);
    expect(isStable([], 0.05)).toBe(false);
  });

  it('repeats rounds until every ratio is stable, at least the minimum, at most the maximum', async () => {
    const steady = await untilStable(
      () => Promise.resolve(1),
      (x) => [x, 2 * x],
    );
    expect(steady).toMatchObject({
      stable: true,
      ratios: [
        [1, 1, 1, 1, 1],
        [2, 2, 2, 2, 2],
      ],
    });
    expect(steady.rounds).toHaveLength(5);

    // Noisy for seven rounds, then steady: it stops once the middle half has settled.
    const values = [1, 2, 0.5, 1.5, 0.7, 1.4, 0.6, 1, 1, 1, 1, 1, 1, 1, 1];
    const settling = await untilStable(
      (i) => Promise.resolve(values[i]),
      (x) => [x],
    );
    expect(settling.stable).toBe(true);
    expect(settling.rounds.length).toBeGreaterThan(5);
    expect(settling.rounds.length).toBeLessThan(15);

    const noisy = await untilStable(
      (i) => Promise.resolve(i % 2 ? 2 : 1),
      (x) => [x],
      {
        maxRounds: 9,
      },
    );
    expect(noisy).toMatchObject({ stable: false });
    expect(noisy.rounds).toHaveLength(9);
  });

  it('says too noisy before missed, missed before met', () => {
    expect(verdict([{ met: true, stable: true }, { met: true }])).toBe(EXIT.met);
    expect(verdict([{ met: false, stable: true }, { met: true }])).toBe(EXIT.missed);
    expect(verdict([{ met: false }, { met: true, stable: false }])).toBe(EXIT.noisy);
    expect(EXIT).toEqual({ met: 0, missed: 1, noisy: 3 });
  });
});
