import { AppConfig } from '../../src/config/app-config.js';
import { ConfigError } from '../../src/config/config.error.js';

/** The configuration a given environment yields (each config section's spec reads through it). */
export const fromEnv = (env: Record<string, string>): AppConfig => AppConfig.fromEnv(env);

/** The ConfigError an environment is refused with; fails the test if it is accepted. */
export function failure(env: Record<string, string>): ConfigError {
  try {
    fromEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
