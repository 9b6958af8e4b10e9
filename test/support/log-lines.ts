import type { DestinationStream } from 'pino';

/** A pino destination that keeps every line written, parsed, for tests that read the logs. */
export class LogLines implements DestinationStream {
  readonly raw: string[] = [];

  write(line: string): void {
    this.raw.push(line);
  }

  get entries(): Record<string, unknown>[] {
    return this.raw.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  get text(): string {
    return this.raw.join('');
  }
}
