// The bench's statistics: how a figure is taken from rounds, and when rounds are enough.
// Pure functions, unit-tested in stats.spec.mjs (run by `npm test`).

/** The q-quantile of `values`, interpolated between the two nearest ranks (R's type 7). */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(sorted.length - 1, below + 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/** The middle value: one round disturbed by something else on the machine does not move it. */
export const median = (values) => quantile(values, 0.5);

/**
 * Where the middle half of `values` lies around their median, as fractions of it: `low` and
 * `high` are (Q1 − median) ÷ median and (Q3 − median) ÷ median.
 */
export function spread(values) {
  const middle = median(values);
  return {
    median: middle,
    low: quantile(values, 0.25) / middle - 1,
    high: quantile(values, 0.75) / middle - 1,
  };
}

/** Whether the interquartile range of `values` is within ±`tolerance` of their median. */
export function isStable(values, tolerance) {
  if (values.length === 0) return false;
  const { low, high } = spread(values);
  return low >= -tolerance && high <= tolerance;
}

/**
 * Runs `round()` until each ratio `ratiosOf(result)` answers is stable over the rounds so far
 * (isStable with `tolerance`), and at least `minRounds` ran; gives up after `maxRounds`.
 * Answers the results of every round, each ratio's values, and whether they became stable.
 */
export async function untilStable(
  round,
  ratiosOf,
  { minRounds = 5, maxRounds = 15, tolerance = 0.05 } = {},
) {
  const rounds = [];
  const ratios = [];
  for (;;) {
    const result = await round(rounds.length);
    rounds.push(result);
    ratiosOf(result).forEach((ratio, i) => (ratios[i] ??= []).push(ratio));
    const stable = ratios.every((values) => isStable(values, tolerance));
    if ((stable && rounds.length >= minRounds) || rounds.length >= maxRounds) {
      return { rounds, ratios, stable };
    }
  }
}

/** Exit codes: every goal met; a goal missed; a figure never settled (the machine was too noisy). */
export const EXIT = { met: 0, missed: 1, noisy: 3 };

/**
 * The bench's verdict from its goals, each `{ met, stable }` (`stable` false when the figure it
 * judges never settled): too noisy when any never settled, whatever the others say (that run
 * proves nothing either way); else missed when any goal was missed.
 */
export function verdict(goals) {
  if (goals.some((goal) => goal.stable === false)) return EXIT.noisy;
  return goals.every((goal) => goal.met) ? EXIT.met : EXIT.missed;
}
