import type { LoggerService } from '@nestjs/common';

/** A Nest logger that keeps every message, for tests that assert what was logged. */
export class LogCapture implements LoggerService {
  readonly lines: { level: string; message: string }[] = [];

  log(message: unknown): void {
    this.push('log', message);
  }
  warn(message: unknown): void {
    this.push('warn', message);
  }
  error(message: unknown): void {
    this.push('error', message);
  }
  debug(message: unknown): void {
    this.push('debug', message);
  }
  verbose(message: unknown): void {
    this.push('verbose', message);
  }
  fatal(message: unknown): void {
    this.push('fatal', message);
  }

  count(pattern: RegExp): number {
    return this.lines.filter((line) => pattern.test(line.message)).length;
  }

  private push(level: string, message: unknown): void {
    this.lines.push({
      level,
      message: typeof message === 'string' ? message : JSON.stringify(message),
    });
  }
}
