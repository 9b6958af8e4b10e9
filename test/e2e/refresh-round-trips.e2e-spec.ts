import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { createFreshDatabase, testPostgresUrl } from '../support/postgres.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { logInForTokens, signUp, type TestUser } from '../support/users.factory.js';

const postgresUrl = await testPostgresUrl();

/**
 * Statements sent to PostgreSQL by a refresh, counted where pg sends them. Only statements whose
 * async call chain comes from AuthService.refresh count: the background jobs (revocation sync,
 * purges, the mail sender) may run at any moment on the same pool.
 */
function countRefreshStatements(): { statements: string[]; restore(): void } {
  const statements: string[] = [];
  // Kept to be called with the client as `this`, and put back after.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const stack = new Error().stack ?? '';
    if (stack.includes('AuthService.refresh')) {
      const text = args[0];
      statements.push(typeof text === 'string' ? text : JSON.stringify(text));
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  return { statements, restore: () => (pg.Client.prototype.query = query) };
}

(postgresUrl ? describe : describe.skip)('POST /refresh on PostgreSQL: round trips', () => {
  let app: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    app = await createTestApp({ DATABASE_URL: (await createFreshDatabase(postgresUrl!)).url });
    user = await signUp(app);
  });
  afterAll(() => app.close({ removeData: true }));

  it('rotates a refresh token, and reads the user and roles, in one statement', async () => {
    let token = (await logInForTokens(app, user)).refresh_token;
    const counted = countRefreshStatements();
    try {
      for (let i = 0; i < 3; i++) {
        counted.statements.length = 0;
        const response = await app.http().post('/refresh').send({ refresh_token: token });
        expect(response.status).toBe(200);
        token = (response.body as { refresh_token: string }).refresh_token;
        expect(counted.statements).toHaveLength(1);
        expect(counted.statements[0]).toMatch(/^update "sessions" set .* returning /s);
      }
    } finally {
      counted.restore();
    }
  });
});
