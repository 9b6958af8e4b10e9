import { ConsoleLogger } from '@nestjs/common';

/**
 * The logger of the command-line contexts: the warnings and errors services report (an audit write
 * that failed), on stderr as Nest prints them, and nothing else. Nest's boot lines would mix with
 * the tool's own output, and its copy of a failed boot would print the reason twice: each tool
 * prints that itself, once, before its exit code.
 */
export class CliLogger extends ConsoleLogger {
  constructor() {
    super({ logLevels: ['error', 'warn'] });
  }

  override error(message: unknown, ...optionalParams: unknown[]): void {
    if (optionalParams.at(-1) === 'ExceptionHandler') return;
    super.error(message, ...optionalParams);
  }
}
