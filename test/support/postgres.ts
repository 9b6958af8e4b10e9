import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where this project's machines and CI run PostgreSQL (trust auth). */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

const onCi = (): boolean => process.env.CI === 'true';

/**
 * The PostgreSQL server for tests: TEST_DATABASE_URL, or the project's default. On CI it must
 * answer (the test fails otherwise); elsewhere, undefined means "skip", with a message saying why.
 */
export async function testPostgresUrl(): Promise<string | undefined> {
  const url = process.env.TEST_DATABASE_URL ?? DEFAULT_TEST_DATABASE_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    return url;
  } catch (error) {
    if (onCi()) {
      // Run anyway, so the suites fail (a throw here, at import, would confuse Jest's output).
      console.error(
        `PostgreSQL tests must run on CI, but ${redact(url)} does not answer: ${String(error)}`,
      );
      return url;
    }
    console.warn(
      `Skipping PostgreSQL tests: ${redact(url)} does not answer. Set TEST_DATABASE_URL to run them.`,
    );
    return undefined;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface FreshDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** A new, empty database on the server of `serverUrl`, so runs never see each other's rows. */
export async function createFreshDatabase(serverUrl: string): Promise<FreshDatabase> {
  const name = `auth_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => dropDatabase(url.toString()) };
}

/** Drops the database a URL names, closing its connections (PostgreSQL 13+). */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const server = new URL(databaseUrl);
  const name = decodeURIComponent(server.pathname.slice(1));
  server.pathname = '/postgres';
  await withClient(server.toString(), (client) =>
    client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  );
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@');
}
