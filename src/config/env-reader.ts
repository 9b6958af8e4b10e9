import { ConfigError } from './config.error.js';
import { parseDurationSeconds } from './duration.js';

/** Reads and checks environment variables; every failure is a ConfigError naming the variable. */
export class EnvReader {
  constructor(private readonly env: Record<string, string | undefined>) {}

  optional(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value;
  }

  string(name: string, fallback: string): string {
    return this.optional(name)?.trim() ?? fallback;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${raw}")`);
    }
    return value;
  }

  duration(name: string, fallback: string, minSeconds: number, maxSeconds = Infinity): number {
    const raw = this.optional(name) ?? fallback;
    const seconds = parseDurationSeconds(raw);
    if (seconds === undefined || seconds < minSeconds) {
      throw new ConfigError(
        name,
        `must be a duration of at least ${minSeconds}s, such as 900, 15m, 12h or 30d (got "${raw}")`,
      );
    }
    if (seconds > maxSeconds) {
      throw new ConfigError(name, `must be at most ${maxSeconds}s (got "${raw}")`);
    }
    return seconds;
  }

  oneOf<T extends string>(
    name: string,
    allowed: readonly T[],
    fallback: T,
    { caseSensitive = false } = {},
  ): T {
    const raw = this.optional(name)?.trim();
    if (raw === undefined) return fallback;
    const wanted = caseSensitive ? raw : raw.toLowerCase();
    const value = allowed.find((candidate) => candidate === wanted);
    if (value === undefined) {
      throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${raw}")`);
    }
    return value;
  }
}
