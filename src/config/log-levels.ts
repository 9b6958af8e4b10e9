import type { LogLevel as NestLogLevel } from '@nestjs/common';
import type { LogLevel } from './app-config.js';

const ORDER: readonly NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
const CUTOFF: Record<LogLevel, number> = {
  silent: 0,
  fatal: 1,
  error: 2,
  warn: 3,
  info: 4,
  debug: 5,
  trace: 6,
};

/** Nest's logger takes the list of levels to print. */
export function nestLogLevels(level: LogLevel): NestLogLevel[] | false {
  return level === 'silent' ? false : ORDER.slice(0, CUTOFF[level]);
}
