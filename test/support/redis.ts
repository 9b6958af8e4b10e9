import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Where this project's machines and CI run Redis. */
export const DEFAULT_TEST_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * The Redis server for tests: TEST_REDIS_URL or the project's default. On CI it must answer;
 * elsewhere, undefined means "skip", with a message saying why.
 */
export async function testRedisUrl(): Promise<string | undefined> {
  const url = process.env.TEST_REDIS_URL ?? DEFAULT_TEST_REDIS_URL;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    await client.ping();
    return url;
  } catch (error) {
    if (process.env.CI === 'true') {
      // Run anyway, so the suites fail (a throw here, at import, would confuse Jest's output).
      console.error(`Redis tests must run on CI, but ${url} does not answer: ${String(error)}`);
      return url;
    }
    console.warn(`Skipping Redis tests: ${url} does not answer. Set TEST_REDIS_URL to run them.`);
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** A key prefix of its own, so runs never count each other's attempts. */
export function freshKeyPrefix(): string {
  return `auth-test-${randomBytes(4).toString('hex')}:`;
}
