const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * Parses a duration such as `900`, `900s`, `15m`, `12h` or `30d` into whole seconds.
 * A bare number is seconds. Returns undefined when the text is not a duration.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const match = /^(\d{1,9})([smhd]?)$/.exec(text.trim());
  if (!match) return undefined;
  const [, amount, unit] = match;
  return Number(amount) * (UNIT_SECONDS[unit || 's'] ?? 1);
}
