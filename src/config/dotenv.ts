import { existsSync } from 'node:fs';

/** Loads `.env` from the working directory when there is one (Node's own parser, no dependency). */
export function loadDotEnvFile(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function processEnv(): Record<string, string | undefined> {
  return process.env;
}
