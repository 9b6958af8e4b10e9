import { randomBytes, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mailSettled } from '../support/mail-outbox.js';
import { idOf, signUpAdmin } from '../support/admins.js';
import { decodeJwt } from '../support/jwt.js';
import { registeredRoutes } from '../support/routes.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  aUser,
  bearer,
  logIn,
  logInForTokens,
  signUp,
  type TestUser,
} from '../support/users.factory.js';

type Method = 'get' | 'post' | 'patch' | 'delete';

const as = (app: TestApp, token: string) => {
  const call = (method: Method, path: string) =>
    app.http()[method](path).set('Authorization', bearer(token));
  return {
    get: (path: string) => call('get', path),
    post: (path: string) => call('post', path),
    patch: (path: string) => call('patch', path),
    delete: (path: string) => call('delete', path),
    call,
  };
};

const login = (app: TestApp, user: TestUser) =>
  app.http().post('/login').send({ username: user.username, password: user.password });

/** Polls nothing: these checks are on the instance that made the change, so "at once" is exact. */
const expectRevoked = async (app: TestApp, token: string) => {
  const response = await as(app, token).get('/protected').expect(401);
  expect(response.body.type).toBe('/problems/token-revoked');
};

describe('admin API', () => {
  let app: TestApp;
  let admin: TestUser & { id: string };
  let adminToken: string;

  beforeAll(async () => {
    app = await createTestApp();
    admin = await signUpAdmin(app);
    adminToken = await logIn(app, admin);
  });
  afterAll(() => app.close({ removeData: true }));

  const asAdmin = () => as(app, adminToken);

  describe('@Roles', () => {
    it('answers 403 forbidden to a valid token without the role, on every @Roles route', async () => {
      const user = await signUp(app);
      const userToken = await logIn(app, user);
      const target = await idOf(app, user);
      const guarded = registeredRoutes(app).filter((route) => route.roles.length > 0);
      expect(guarded.map((route) => route.key).sort()).toEqual(
        expect.arrayContaining([
          'GET /admin/users',
          'GET /admin/users/{id}',
          'PATCH /admin/users/{id}',
          'POST /admin/users/{id}/disable',
          'POST /admin/users/{id}/enable',
          'DELETE /admin/users/{id}/sessions',
          'DELETE /admin/users/{id}',
          'POST /admin/users/{id}/password-reset',
          'GET /admin/audit',
        ]),
      );
      for (const route of guarded) {
        const [method = '', template = ''] = route.key.split(' ');
        const path = template.replace('{id}', target);
        const send = (token?: string) => {
          const request = app.http()[method.toLowerCase() as Method](path);
          if (token) void request.set('Authorization', bearer(token));
          return route.takesBody ? request.send({}) : request;
        };
        const refused = await send(userToken);
        expect({ route: route.key, status: refused.status }).toEqual({
          route: route.key,
          status: 403,
        });
        expect(refused.body).toMatchObject({
          type: '/problems/forbidden',
          status: 403,
          detail: 'This needs the admin role.',
        });
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        // No token: the authentication guard answers first.
        expect((await send()).status).toBe(401);
      }
      // Nothing happened to the target.
      await as(app, userToken).get('/protected').expect(200);
      await login(app, user).expect(200);
    });

    it('lets an admin token through on every @Roles route', async () => {
      // An id that names nobody: the routes answer, and nothing is changed.
      const nobody = randomUUID();
      for (const route of registeredRoutes(app).filter((r) => r.roles.length > 0)) {
        const [method = '', template = ''] = route.key.split(' ');
        const request = asAdmin().call(
          method.toLowerCase() as Method,
          template.replace('{id}', nobody),
        );
        const { status } = await (route.key.startsWith('PATCH')
          ? request.send({ roles: [] })
          : request);
        expect({ route: route.key, status }).toEqual({
          route: route.key,
          status: template.includes('{id}') ? 404 : 200,
        });
      }
    });

    it('puts the roles in the access token and in GET /me', async () => {
      expect(decodeJwt(adminToken).payload.roles).toEqual(['user', 'admin']);
      const me = await asAdmin().get('/me').expect(200);
      expect(me.body.roles).toEqual(['user', 'admin']);
      const user = await signUp(app);
      const token = await logIn(app, user);
      expect(decodeJwt(token).payload.roles).toEqual(['user']);
      expect((await as(app, token).get('/me').expect(200)).body.roles).toEqual(['user']);
    });
  });

  describe('GET /admin/users', () => {
    /** Accounts of their own, under a prefix no other test uses. */
    const family = async () => {
      const prefix = `f${randomBytes(3).toString('hex')}`;
      const make = (name: string) =>
        signUp(app, aUser({ username: `${prefix}_${name}`, email: `${name}.${prefix}@ex.org` }));
      const carol = await make('carol');
      const alice = await make('Alice');
      const bob = await make('bob');
      return { prefix, alice, bob, carol };
    };
    const list = (query: string) => asAdmin().get(`/admin/users?${query}`);

    it('finds accounts by username or email prefix in any case, ordered by username', async () => {
      const { prefix, alice, bob, carol } = await family();
      await login(app, bob).expect(200);
      const response = await list(`q=${prefix.toUpperCase()}`).expect(200);
      expect(response.body.next_cursor).toBeNull();
      expect(response.body.users.map((u: { username: string }) => u.username)).toEqual([
        alice.username,
        bob.username,
        carol.username,
      ]);
      expect(response.body.users[1]).toEqual({
        id: await idOf(app, bob),
        username: bob.username,
        email: bob.email,
        roles: ['user'],
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        disabled_at: null,
        disabled_reason: null,
        last_login_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(response.body.users[0].last_login_at).toBeNull();
      const byEmail = await list(`q=CAROL.${prefix}`).expect(200);
      expect(byEmail.body.users.map((u: { email: string }) => u.email)).toEqual([carol.email]);
    });

    it('filters by role and by disabled, and pages with an opaque cursor', async () => {
      const { prefix, alice, bob, carol } = await family();
      await asAdmin()
        .patch(`/admin/users/${await idOf(app, bob)}`)
        .send({ roles: ['admin'] })
        .expect(200);
      await asAdmin()
        .post(`/admin/users/${await idOf(app, carol)}/disable`)
        .send({})
        .expect(204);
      const names = async (query: string): Promise<string[]> =>
        ((await list(`q=${prefix}&${query}`).expect(200)).body.users as { username: string }[]).map(
          (u) => u.username,
        );
      expect(await names('role=admin')).toEqual([bob.username]);
      expect(await names('role=user')).toEqual([alice.username, bob.username, carol.username]);
      expect(await names('disabled=true')).toEqual([carol.username]);
      expect(await names('disabled=false&role=user')).toEqual([alice.username, bob.username]);

      const first = await list(`q=${prefix}&limit=2`).expect(200);
      expect(first.body.users).toHaveLength(2);
      expect(first.body.next_cursor).toEqual(expect.stringMatching(/^[A-Za-z0-9_-]+$/));
      const second = await list(`q=${prefix}&limit=2&cursor=${first.body.next_cursor}`).expect(200);
      expect(second.body.users.map((u: { username: string }) => u.username)).toEqual([
        carol.username,
      ]);
      expect(second.body.next_cursor).toBeNull();
    });

    it.each([
      ['limit=0', 'limit must be at least 1.'],
      ['limit=101', 'limit must be at most 100.'],
      ['limit=ten', 'limit must be a whole number.'],
      ['role=owner', 'role may only name user, admin (not owner).'],
      ['role=Admin%20!', 'role must be a role name.'],
      ['disabled=maybe', 'disabled must be true or false.'],
      ['cursor=not.a.cursor', 'cursor is not one this service gave out.'],
      ['cursor=_w', 'cursor is not one this service gave out.'],
    ])('answers 422 to %s', async (query, detail) => {
      const response = await list(query).expect(422);
      expect(response.body.type).toBe('/problems/validation-error');
      expect(response.body.detail).toContain(detail);
    });
  });

  describe('one account', () => {
    it('GET /admin/users/{id} answers the account with its number of live sessions', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      const first = await logIn(app, user);
      await logIn(app, user);
      expect((await asAdmin().get(`/admin/users/${id}`).expect(200)).body).toMatchObject({
        id,
        username: user.username,
        roles: ['user'],
        active_sessions: 2,
      });
      await as(app, first).post('/logout').expect(204);
      expect((await asAdmin().get(`/admin/users/${id}`).expect(200)).body.active_sessions).toBe(1);
    });

    it('answers 400 to an id that is not a UUID and 404 to an unknown one, on every route', async () => {
      for (const [method, suffix] of [
        ['get', ''],
        ['patch', ''],
        ['delete', ''],
        ['post', '/disable'],
        ['post', '/enable'],
        ['delete', '/sessions'],
        ['post', '/password-reset'],
      ] as const) {
        const send = (id: string) => {
          const request = asAdmin().call(method, `/admin/users/${id}${suffix}`);
          return method === 'patch' ? request.send({ roles: ['admin'] }) : request;
        };
        const bad = await send('not-a-uuid').expect(400);
        expect(bad.body).toMatchObject({
          type: '/problems/bad-request',
          detail: 'The user id must be a UUID.',
        });
        const unknown = await send(randomUUID()).expect(404);
        expect(unknown.body).toMatchObject({
          type: '/problems/not-found',
          detail: 'No such user.',
        });
      }
    });
  });

  describe('PATCH /admin/users/{id}', () => {
    it('sets roles, ends the account’s sessions at once, and the next login carries them', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      const before = await logInForTokens(app, user);

      const response = await asAdmin()
        .patch(`/admin/users/${id}`)
        .send({ roles: ['admin'] })
        .expect(200);
      expect(response.body).toMatchObject({ id, roles: ['user', 'admin'] });
      await expectRevoked(app, before.access_token);
      await app.http().post('/refresh').send({ refresh_token: before.refresh_token }).expect(401);

      const after = await logIn(app, user);
      expect(decodeJwt(after).payload.roles).toEqual(['user', 'admin']);
      await as(app, after).get('/admin/users').expect(200);
    });

    it('refuses a demoted admin’s old token at once, and their new token gets 403', async () => {
      const other = await signUpAdmin(app);
      const oldToken = await logIn(app, other);
      await as(app, oldToken).get('/admin/users').expect(200);

      await asAdmin().patch(`/admin/users/${other.id}`).send({ roles: [] }).expect(200);
      const refused = await as(app, oldToken).get('/admin/users').expect(401);
      expect(refused.body.type).toBe('/problems/token-revoked');
      const newToken = await logIn(app, other);
      expect(decodeJwt(newToken).payload.roles).toEqual(['user']);
      await as(app, newToken).get('/admin/users').expect(403);
    });

    it('leaves sessions alone when the roles do not change', async () => {
      const user = await signUp(app);
      const token = await logIn(app, user);
      await asAdmin()
        .patch(`/admin/users/${await idOf(app, user)}`)
        .send({ roles: ['user'] })
        .expect(200);
      await as(app, token).get('/protected').expect(200);
    });

    it.each([
      [{ roles: ['owner'] }, 'roles may only name user, admin (not owner).'],
      [{ roles: 'admin' }, 'roles must be a list of role names.'],
      [{ roles: ['Admin'] }, 'roles must be a list of role names.'],
      [{}, 'roles must be a list of role names.'],
    ])('answers 422 to %j, changing nothing', async (body, detail) => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      const response = await asAdmin().patch(`/admin/users/${id}`).send(body).expect(422);
      expect(response.body.type).toBe('/problems/validation-error');
      expect(response.body.detail).toContain(detail);
      expect(response.body.errors[0].field).toBe('roles');
      expect((await asAdmin().get(`/admin/users/${id}`)).body.roles).toEqual(['user']);
    });
  });

  describe('disable and enable', () => {
    it('disables: every session ends at once, login and refresh answer as for a wrong password', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      const tokens = await logInForTokens(app, user);
      const wrongPassword = await app
        .http()
        .post('/login')
        .send({ username: user.username, password: 'not the password' })
        .expect(401);

      await asAdmin()
        .post(`/admin/users/${id}/disable`)
        .send({ reason: 'Chargeback fraud' })
        .expect(204);
      await expectRevoked(app, tokens.access_token);
      const refused = await login(app, user).expect(401);
      expect({ ...refused.body, request_id: 'x' }).toEqual({
        ...wrongPassword.body,
        request_id: 'x',
      });
      await app.http().post('/refresh').send({ refresh_token: tokens.refresh_token }).expect(401);
      expect((await asAdmin().get(`/admin/users/${id}`)).body).toMatchObject({
        disabled_at: expect.stringMatching(/^\d{4}-/),
        disabled_reason: 'Chargeback fraud',
        active_sessions: 0,
      });

      await asAdmin().post(`/admin/users/${id}/enable`).expect(204);
      expect((await asAdmin().get(`/admin/users/${id}`)).body).toMatchObject({
        disabled_at: null,
        disabled_reason: null,
      });
      await login(app, user).expect(200);
    });

    it('takes no body at all, and refuses a reason over 500 characters', async () => {
      const id = await idOf(app, await signUp(app));
      await asAdmin()
        .post(`/admin/users/${id}/disable`)
        .send({ reason: 'x'.repeat(501) })
        .expect(422);
      await asAdmin().post(`/admin/users/${id}/disable`).expect(204);
      expect((await asAdmin().get(`/admin/users/${id}`)).body.disabled_reason).toBeNull();
    });
  });

  describe('DELETE /admin/users/{id}/sessions', () => {
    it('logs the account out everywhere; it can log in again', async () => {
      const user = await signUp(app);
      const phone = await logInForTokens(app, user);
      const laptop = await logInForTokens(app, user);
      await asAdmin()
        .delete(`/admin/users/${await idOf(app, user)}/sessions`)
        .expect(204);
      await expectRevoked(app, phone.access_token);
      await expectRevoked(app, laptop.access_token);
      await app.http().post('/refresh').send({ refresh_token: laptop.refresh_token }).expect(401);
      await login(app, user).expect(200);
    });
  });

  describe('DELETE /admin/users/{id}', () => {
    it('deletes the account: tokens refused at once, name and email free, audit events kept', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      const live = await logInForTokens(app, user);
      const loggedOut = await logIn(app, user);
      await as(app, loggedOut).post('/logout').expect(204);

      await asAdmin().delete(`/admin/users/${id}`).expect(204);
      await expectRevoked(app, live.access_token);
      await app.http().post('/refresh').send({ refresh_token: live.refresh_token }).expect(401);
      await asAdmin().get(`/admin/users/${id}`).expect(404);
      await login(app, user).expect(401);

      const history = await asAdmin().get(`/admin/audit?user_id=${id}`).expect(200);
      expect(history.body.events.map((e: { type: string }) => e.type)).toEqual([
        'account_deleted',
        'logout',
        'login_succeeded',
        'login_succeeded',
        'email_verification_sent',
        'signup',
      ]);
      expect(history.body.events[0]).toMatchObject({ user_id: id, actor_id: admin.id });

      // The username and email are free again.
      await app.http().post('/signup').send(user).expect(201);
      expect(await idOf(app, user)).not.toBe(id);
    });
  });

  describe('POST /admin/users/{id}/password-reset', () => {
    it('queues a reset mail to the account (here a .eml file: no SMTP_URL outside production)', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      await asAdmin().post(`/admin/users/${id}/password-reset`).expect(202);
      await mailSettled(app);
      const files = await readdir(join(app.dataDir, 'mail'));
      const mails = await Promise.all(
        files.map((file) => readFile(join(app.dataDir, 'mail', file), 'utf8')),
      );
      expect(
        mails.some((mail) => mail.includes(`To: ${user.email}`) && /password/i.test(mail)),
      ).toBe(true);
      const history = await asAdmin().get(`/admin/audit?user_id=${id}`).expect(200);
      expect(history.body.events[0]).toMatchObject({
        type: 'password_reset_requested',
        actor_id: admin.id,
      });
      await asAdmin().post(`/admin/users/${randomUUID()}/password-reset`).expect(404);
    });
  });

  describe('GET /admin/audit', () => {
    it('records every admin action naming the admin and the target, newest first, in pages', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      await asAdmin()
        .patch(`/admin/users/${id}`)
        .send({ roles: ['admin'] })
        .set('X-Request-Id', 'req-roles')
        .expect(200);
      await asAdmin().post(`/admin/users/${id}/disable`).send({ reason: 'r' }).expect(204);
      await asAdmin().post(`/admin/users/${id}/enable`).expect(204);
      await asAdmin().delete(`/admin/users/${id}/sessions`).expect(204);
      await asAdmin().delete(`/admin/users/${id}`).expect(204);

      const trail = await asAdmin().get(`/admin/audit?user_id=${id}&limit=100`).expect(200);
      // The account's own events (signup, its verification mail) are not an admin's.
      const adminEvents = trail.body.events.filter(
        (e: { type: string }) => !['signup', 'email_verification_sent'].includes(e.type),
      );
      expect(adminEvents.map((e: { type: string }) => e.type)).toEqual([
        'account_deleted',
        'all_sessions_revoked',
        'account_enabled',
        'account_disabled',
        'roles_changed',
      ]);
      for (const event of adminEvents) {
        expect(event).toMatchObject({
          user_id: id,
          actor_id: admin.id,
          username: user.username.toLowerCase(),
          ip: expect.any(String),
        });
      }
      expect(adminEvents.at(-1).request_id).toBe('req-roles');

      const byType = await asAdmin().get('/admin/audit?type=account_deleted&limit=100').expect(200);
      expect(byType.body.events.every((e: { type: string }) => e.type === 'account_deleted')).toBe(
        true,
      );
      expect(byType.body.events.map((e: { user_id: string }) => e.user_id)).toContain(id);

      const first = await asAdmin().get(`/admin/audit?user_id=${id}&limit=2`).expect(200);
      const rest = await asAdmin()
        .get(`/admin/audit?user_id=${id}&limit=100&cursor=${first.body.next_cursor}`)
        .expect(200);
      expect([...first.body.events, ...rest.body.events]).toEqual(trail.body.events);
    });

    it.each([
      ['user_id=123', 'user_id must be a UUID.'],
      ['type=hacked', 'type must be an audit event type.'],
      ['limit=101', 'limit must be at most 100.'],
      ['cursor=AAAA', 'cursor is not one this service gave out.'],
    ])('answers 422 to %s', async (query, detail) => {
      const response = await asAdmin().get(`/admin/audit?${query}`).expect(422);
      expect(response.body).toMatchObject({ type: '/problems/validation-error', detail });
    });
  });
});

// Apps of its own, never alongside another: Passport's strategies are process-wide, so the newest
// app's would verify the other's tokens.
describe('a deleted account after a restart', () => {
  it('keeps refusing the deleted account’s tokens after a restart (the revocations are kept)', async () => {
    const instance = await createTestApp();
    try {
      const boss = await signUpAdmin(instance);
      const bossToken = await logIn(instance, boss);
      const user = await signUp(instance);
      const live = await logIn(instance, user);
      const loggedOut = await logIn(instance, user);
      await as(instance, loggedOut).post('/logout').expect(204);
      await as(instance, bossToken)
        .delete(`/admin/users/${await idOf(instance, user)}`)
        .expect(204);

      await instance.close();
      const restarted = await createTestApp(instance.env);
      try {
        await expectRevoked(restarted, live);
        await expectRevoked(restarted, loggedOut);
        await as(restarted, bossToken).get('/admin/users').expect(200);
      } finally {
        await restarted.close();
      }
    } finally {
      await instance.close({ removeData: true }).catch(() => undefined);
    }
  });
});

describe('the last enabled admin', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  const expectLastAdmin = (response: { body: unknown }) =>
    expect(response.body).toMatchObject({ type: '/problems/last-admin', status: 409 });

  it('cannot be demoted, disabled or deleted, by the API or DELETE /me, until there is another', async () => {
    const first = await signUpAdmin(app);
    const token = await logIn(app, first);
    const api = as(app, token);

    expectLastAdmin(await api.patch(`/admin/users/${first.id}`).send({ roles: [] }).expect(409));
    expectLastAdmin(await api.post(`/admin/users/${first.id}/disable`).expect(409));
    expectLastAdmin(await api.delete(`/admin/users/${first.id}`).expect(409));
    expectLastAdmin(await api.delete('/me').send({ current_password: first.password }).expect(409));
    // Nothing changed: the token still works, the account is still an admin.
    expect((await api.get(`/admin/users/${first.id}`).expect(200)).body).toMatchObject({
      roles: ['user', 'admin'],
      disabled_at: null,
    });

    // A disabled admin does not count.
    const second = await signUpAdmin(app);
    await api.post(`/admin/users/${second.id}/disable`).expect(204);
    await api.patch(`/admin/users/${first.id}`).send({ roles: [] }).expect(409);
    await api.post(`/admin/users/${second.id}/enable`).expect(204);

    // With another enabled admin, the first may step down (and its token goes with its role).
    await api.patch(`/admin/users/${first.id}`).send({ roles: [] }).expect(200);
    await expectRevoked(app, token);
    const secondToken = await logIn(app, second);
    expectLastAdmin(await as(app, secondToken).delete(`/admin/users/${second.id}`).expect(409));
  });
});

describe('DELETE /me', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  it('deletes the caller’s account on their password: tokens refused, name free', async () => {
    const user = await signUp(app);
    const tokens = await logInForTokens(app, user);
    const other = await logIn(app, user);
    const wrong = await as(app, tokens.access_token)
      .delete('/me')
      .send({ current_password: 'not my password' })
      .expect(403);
    expect(wrong.body.type).toBe('/problems/wrong-password');
    await as(app, tokens.access_token).delete('/me').send({}).expect(422);

    await as(app, tokens.access_token)
      .delete('/me')
      .send({ current_password: user.password })
      .expect(204);
    await expectRevoked(app, tokens.access_token);
    await expectRevoked(app, other);
    await app.http().post('/refresh').send({ refresh_token: tokens.refresh_token }).expect(401);
    await login(app, user).expect(401);
    await app.http().post('/signup').send(user).expect(201);
  });

  it('is recorded with the account as its own actor', async () => {
    const user = await signUp(app);
    const id = await idOf(app, user);
    const token = await logIn(app, user);
    await as(app, token).delete('/me').send({ current_password: user.password }).expect(204);
    const boss = await signUpAdmin(app);
    const trail = await as(app, await logIn(app, boss))
      .get(`/admin/audit?user_id=${id}&type=account_deleted`)
      .expect(200);
    expect(trail.body.events).toEqual([
      expect.objectContaining({ type: 'account_deleted', user_id: id, actor_id: id }),
    ]);
  });
});
