import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { decodeJwt } from '../support/jwt.js';
import { createFreshDatabase, dropDatabase, testPostgresUrl } from '../support/postgres.js';
import { ensureBuilt } from '../support/server-process.js';
import { createTestApp, TEST_ENV, type TestApp } from '../support/test-app.js';
import { runUsersCli } from '../support/users-cli.js';
import { aUser, bearer, logIn, signUp, type TestUser } from '../support/users.factory.js';

const postgresUrl = await testPostgresUrl();
/** Each run of the tool is a Node process that opens and migrates the database: seconds, not ms. */
const CLI_TEST_TIMEOUT_MS = 60_000;

const DIALECTS: readonly (readonly [
  string,
  (() => Promise<Record<string, string>>) | undefined,
])[] = [
  // The suite's default store: SQLite in a temporary DATA_DIR (PostgreSQL if DATABASE_URL is set).
  ['the default store', () => Promise.resolve({})],
  [
    'PostgreSQL',
    postgresUrl === undefined
      ? undefined
      : async () => ({ DATABASE_URL: (await createFreshDatabase(postgresUrl)).url }),
  ],
];

/** `npm run users`, run as an operator would, against the database of a running app. */
describe.each(DIALECTS)('npm run users on %s', (_name, prepare) => {
  if (!prepare) {
    it.skip('skipped: PostgreSQL is not reachable (set TEST_DATABASE_URL)', () => {});
    return;
  }
  let app: TestApp;

  beforeAll(async () => {
    ensureBuilt();
    app = await createTestApp(await prepare());
  }, 180_000);
  afterAll(() => app?.close({ removeData: true }));

  const users = (args: readonly string[], stdin?: string) =>
    runUsersCli(args, { env: app.env, cwd: app.dataDir, stdin });
  const login = (user: TestUser) =>
    app.http().post('/login').send({ username: user.username, password: user.password });
  const create = (user: TestUser, ...extra: string[]) =>
    users(
      ['create', '--username', user.username, '--email', user.email, ...extra],
      `${user.password}\n`,
    );

  /** The running app re-reads revocations from the database every 500 ms. */
  const refusedWithinASecond = async (token: string): Promise<number> => {
    const since = Date.now();
    let status = 200;
    while (status === 200 && Date.now() - since < 2_000) {
      status = (await app.http().get('/protected').set('Authorization', bearer(token))).status;
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(status).toBe(401);
    return Date.now() - since;
  };

  it(
    'creates an admin whose login works, with the password given on standard input',
    async () => {
      const boss = aUser();
      const created = await create(boss, '--role', 'admin');
      expect(created).toMatchObject({ code: 0, stderr: '' });
      expect(created.stdout).toContain(`Created ${boss.username}`);
      expect(created.stdout).not.toContain(boss.password);

      const response = await login(boss).expect(200);
      expect(decodeJwt(response.body.access_token).payload.roles).toEqual(['user', 'admin']);
      const listed = await app
        .http()
        .get(`/admin/users?q=${boss.username}`)
        .set('Authorization', bearer(response.body.access_token))
        .expect(200);
      expect(listed.body.users).toEqual([
        expect.objectContaining({ username: boss.username, roles: ['user', 'admin'] }),
      ]);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'never takes the password from the command line',
    async () => {
      const user = aUser();
      for (const flag of ['--password', `--password=${user.password}`, '-password']) {
        const result = await create(user, flag, user.password);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain('never taken from the command line');
      }
      await login(user).expect(401);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'applies the signup rules, and says what is wrong',
    async () => {
      const tooCommon = await create(aUser({ password: 'password1' }));
      expect(tooCommon.code).toBe(1);
      expect(tooCommon.stderr).toMatch(/password is too common/);
      const badName = await create(aUser({ username: 'no spaces allowed' }));
      expect(badName.code).toBe(1);
      expect(badName.stderr).toMatch(/username must be 3 to 32 characters/);
      const taken = await signUp(app);
      const duplicate = await create(aUser({ username: taken.username.toUpperCase() }));
      expect(duplicate).toMatchObject({ code: 1, stderr: 'Username already taken.\n' });
      const noPassword = await users(['create', '--username', 'someone', '--email', 'a@b.example']);
      expect(noPassword).toMatchObject({ code: 1, stderr: 'No password on standard input.\n' });
      const unknownRole = await create(aUser(), '--role', 'owner');
      expect(unknownRole.code).toBe(1);
      expect(unknownRole.stderr).toMatch(/roles may only name user, admin \(not owner\)/);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'sets roles, ending the account’s sessions: the running service refuses the old token',
    async () => {
      const user = await signUp(app);
      const before = await logIn(app, user);
      const promoted = await users(['set-role', user.username, 'admin']);
      expect(promoted).toMatchObject({
        code: 0,
        stdout: `${user.username} has roles user, admin.\n`,
      });
      expect(await refusedWithinASecond(before)).toBeLessThan(1_000);
      const after = await logIn(app, user);
      expect(decodeJwt(after).payload.roles).toEqual(['user', 'admin']);

      expect((await users(['set-role', user.username, 'user'])).code).toBe(0);
      expect(await refusedWithinASecond(after)).toBeLessThan(1_000);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'disables and enables an account',
    async () => {
      const user = await signUp(app);
      const token = await logIn(app, user);
      const disabled = await users(['disable', user.username, '--reason', 'left the company']);
      expect(disabled.code).toBe(0);
      await login(user).expect(401);
      expect(await refusedWithinASecond(token)).toBeLessThan(1_000);
      expect((await users(['enable', user.username])).code).toBe(0);
      await login(user).expect(200);
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'says clearly that a user does not exist',
    async () => {
      for (const args of [
        ['set-role', 'nobody_here', 'admin'],
        ['disable', 'nobody_here'],
        ['enable', 'nobody_here'],
      ]) {
        expect(await users(args)).toMatchObject({
          code: 1,
          stdout: '',
          stderr: 'There is no user named "nobody_here".\n',
        });
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );

  it(
    'keeps the last enabled admin',
    async () => {
      // A database of its own, so this admin is the only one; the tool migrates it itself.
      const dataDir = await mkdtemp(join(tmpdir(), 'auth-cli-'));
      const env: Record<string, string> = { ...TEST_ENV, DATA_DIR: dataDir, ...(await prepare()) };
      const run = (args: readonly string[], stdin?: string) =>
        runUsersCli(args, { env, cwd: dataDir, stdin });
      try {
        const boss = aUser();
        const made = await run(
          ['create', '--username', boss.username, '--email', boss.email, '--role', 'admin'],
          boss.password,
        );
        expect(made.code).toBe(0);
        for (const args of [
          ['set-role', boss.username, 'user'],
          ['disable', boss.username],
        ]) {
          const refused = await run(args);
          expect(refused.code).toBe(1);
          expect(refused.stderr).toMatch(/^This is the last enabled admin/);
        }
      } finally {
        await rm(dataDir, { recursive: true, force: true });
        if (env.DATABASE_URL) await dropDatabase(env.DATABASE_URL);
      }
    },
    CLI_TEST_TIMEOUT_MS,
  );
});
