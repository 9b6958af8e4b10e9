import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuthService } from '../../src/auth/auth.service.js';
import { IdentitiesRepository } from '../../src/identities/identities.repository.js';
import type { Identity } from '../../src/identities/identity.js';
import { UsersService } from '../../src/users/users.service.js';
import { idOf, signUpAdmin } from '../support/admins.js';
import { freeLoopbackPort } from '../support/oidc-provider.js';
import { createFreshDatabase, testPostgresUrl } from '../support/postgres.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, bearer, logIn, signUp, type TestUser } from '../support/users.factory.js';

const UNLINKED = /A sign-in provider was unlinked/;
const RESET = /Reset your password/;
const LAST_METHOD = '/problems/last-sign-in-method';

const postgresUrl = await testPostgresUrl();

/** Two providers configured (nothing listens at their issuers: discovery is not needed here). */
async function oidcEnv(): Promise<Record<string, string>> {
  const env: Record<string, string> = {
    PUBLIC_URL: 'http://127.0.0.1:8123',
    OIDC_PROVIDERS: 'acme,beta',
  };
  for (const id of ['ACME', 'BETA']) {
    env[`OIDC_${id}_ISSUER`] = `http://127.0.0.1:${await freeLoopbackPort()}`;
    env[`OIDC_${id}_CLIENT_ID`] = 'auth-service';
    env[`OIDC_${id}_CLIENT_SECRET`] = `${id.toLowerCase()}-secret`;
  }
  return env;
}

/** Link times a millisecond apart, so "oldest first" is the order a test linked them in. */
let linkedAt = Date.now() - 3_600_000;

/** What every suite below needs of its app. */
function helpers(get: () => TestApp) {
  const identities = () => get().app.get(IdentitiesRepository);
  /** Links an identity straight in the store, as a provider's callback will. */
  const link = (
    userId: string,
    provider: string,
    email = 'someone@example.com',
  ): Promise<Identity> =>
    identities().link({
      userId,
      provider,
      issuer: `https://${provider}.example`,
      subject: randomUUID(),
      email,
      createdAt: new Date((linkedAt += 1)),
    });
  /** An account with no password (made through a provider), and an access token for it. */
  const passwordless = async (): Promise<{ user: TestUser; id: string; token: string }> => {
    const user = aUser();
    const created = await get()
      .app.get(UsersService)
      .create({ username: user.username, email: user.email, passwordHash: null });
    const tokens = await get()
      .app.get(AuthService)
      .login(created, { ip: '127.0.0.1', userAgent: 'test', requestId: null });
    return { user, id: created.id, token: tokens.access_token };
  };
  const unlink = (token: string, id: string) =>
    get().http().delete(`/me/identities/${id}`).set('Authorization', bearer(token));
  const methods = async (token: string): Promise<string[]> =>
    (await get().http().get('/me').set('Authorization', bearer(token)).expect(200)).body
      .sign_in_methods as string[];
  return { identities, link, passwordless, unlink, methods };
}

/** The rules every store must keep: the last way in, concurrent removals, deletion. */
function storeRules(name: string, env: () => Promise<Record<string, string>>): void {
  describe(`sign-in methods on ${name}`, () => {
    let app: TestApp;
    const { identities, link, passwordless, unlink, methods } = helpers(() => app);

    beforeAll(async () => {
      app = await createTestApp({ ...(await oidcEnv()), ...(await env()) });
    });
    afterAll(async () => {
      await app.close({ removeData: true });
    });

    it('refuses to unlink the last way to sign in (409), and unlinks one of two', async () => {
      const { id, token } = await passwordless();
      const first = await link(id, 'acme');
      const second = await link(id, 'beta');
      expect(await methods(token)).toEqual(['oidc:acme', 'oidc:beta']);

      await unlink(token, first.id).expect(204);
      const refused = await unlink(token, second.id).expect(409);
      expect(refused.body).toMatchObject({ type: LAST_METHOD, status: 409 });
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await identities().listForUser(id)).map((identity) => identity.id)).toEqual([
        second.id,
      ]);
      expect(await methods(token)).toEqual(['oidc:beta']);
    });

    it('lets exactly one of two concurrent removals of the last two ways win', async () => {
      for (let round = 0; round < 5; round += 1) {
        const { id, token } = await passwordless();
        const both = [await link(id, 'acme'), await link(id, 'acme')];
        const answers = await Promise.all(both.map((identity) => unlink(token, identity.id)));
        expect(answers.map((answer) => answer.status).sort()).toEqual([204, 409]);
        expect(answers.find((answer) => answer.status === 409)?.body.type).toBe(LAST_METHOD);
        expect(await identities().listForUser(id)).toHaveLength(1);
      }
    });

    it('deletes the identities with the account', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      const identity = await link(id, 'acme');
      await app
        .http()
        .delete('/me')
        .set('Authorization', bearer(await logIn(app, user)))
        .send({ current_password: user.password })
        .expect(204);
      expect(await identities().listForUser(id)).toEqual([]);
      expect(
        await identities().findByIssuerSubject(identity.issuer, identity.subject),
      ).toBeUndefined();
    });
  });
}

storeRules('SQLite', () => Promise.resolve({}));
storeRules('the in-memory store', () => Promise.resolve({ DATABASE_URL: 'memory:' }));
if (postgresUrl) {
  storeRules('PostgreSQL', async () => ({
    DATABASE_URL: (await createFreshDatabase(postgresUrl)).url,
  }));
} else {
  describe.skip('sign-in methods on PostgreSQL (no server)', () => {
    it('skipped', () => undefined);
  });
}

describe('identities on the account', () => {
  let sink: SmtpSink;
  let app: TestApp;
  const { identities, link, passwordless, unlink, methods } = helpers(() => app);

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    app = await createTestApp({ ...(await oidcEnv()), SMTP_URL: sink.url });
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await sink.close();
  });

  const activity = async (token: string) =>
    (await app.http().get('/me/activity').set('Authorization', bearer(token)).expect(200)).body
      .events as { type: string; reason: string | null }[];

  describe('GET /me sign_in_methods', () => {
    it('lists the password, then each configured provider once, in the order linked', async () => {
      const user = await signUp(app);
      const token = await logIn(app, user);
      expect(await methods(token)).toEqual(['password']);
      const id = await idOf(app, user);
      await link(id, 'beta');
      await link(id, 'acme');
      await link(id, 'beta');
      // A provider no longer in OIDC_PROVIDERS signs nobody in.
      await link(id, 'gone');
      expect(await methods(token)).toEqual(['password', 'oidc:beta', 'oidc:acme']);
    });
  });

  describe('GET /me/identities', () => {
    it('lists the caller’s identities, oldest first, and no one else’s', async () => {
      const user = await signUp(app);
      const token = await logIn(app, user);
      const id = await idOf(app, user);
      const acme = await link(id, 'acme', 'me@acme.example');
      const gone = await link(id, 'gone', 'me@gone.example');
      await identities().touchLastUsed(acme.id, new Date('2026-12-01T10:00:00Z'));
      await link(await idOf(app, await signUp(app)), 'acme');

      const listed = await app
        .http()
        .get('/me/identities')
        .set('Authorization', bearer(token))
        .expect(200);
      expect(listed.body).toEqual({
        identities: [
          {
            id: acme.id,
            provider: 'acme',
            email: 'me@acme.example',
            created_at: acme.createdAt.toISOString(),
            last_used_at: '2026-12-01T10:00:00.000Z',
          },
          {
            id: gone.id,
            provider: 'gone',
            email: 'me@gone.example',
            created_at: gone.createdAt.toISOString(),
            last_used_at: null,
          },
        ],
      });
    });

    it('needs a token', async () => {
      await app.http().get('/me/identities').expect(401);
    });
  });

  describe('DELETE /me/identities/{id}', () => {
    it('unlinks one: 204, audited, mailed, other sessions ended, this one kept', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      const other = await logIn(app, user);
      const token = await logIn(app, user);
      const acme = await link(id, 'acme');

      await unlink(token, acme.id).expect(204);
      expect(await identities().listForUser(id)).toEqual([]);
      expect(await methods(token)).toEqual(['password']);
      await app.http().get('/me').set('Authorization', bearer(other)).expect(401);
      expect((await activity(token))[0]).toMatchObject({ type: 'identity_unlinked', reason: null });
      const mail = await sink.waitFor(user.email, UNLINKED);
      expect(mail.text).toContain(user.username);
    });

    it('answers 404 for another account’s identity, an unknown id, or one already gone', async () => {
      const { token } = await passwordless();
      const stranger = await passwordless();
      const theirs = await link(stranger.id, 'acme');
      await link(stranger.id, 'beta');
      expect((await unlink(token, theirs.id).expect(404)).body.type).toBe('/problems/not-found');
      await unlink(token, randomUUID()).expect(404);
      await unlink(token, 'not-a-uuid').expect(404);
      expect(await identities().listForUser(stranger.id)).toHaveLength(2);
    });

    it('always unlinks an identity of a provider no longer configured, never the last way in', async () => {
      const { id, token } = await passwordless();
      const gone = await link(id, 'gone');
      const acme = await link(id, 'acme');
      await unlink(token, acme.id).expect(409);
      await unlink(token, gone.id).expect(204);
      await unlink(token, acme.id).expect(409);
      expect(await methods(token)).toEqual(['oidc:acme']);
    });

    it('lets an account with a password unlink its only identity', async () => {
      const user = await signUp(app);
      const token = await logIn(app, user);
      const acme = await link(await idOf(app, user), 'acme');
      await unlink(token, acme.id).expect(204);
    });
  });

  describe('admin', () => {
    let adminToken: string;
    let adminId: string;
    beforeAll(async () => {
      const admin = await signUpAdmin(app);
      adminId = admin.id;
      adminToken = await logIn(app, admin);
    });
    const asAdmin = () => ({
      get: (path: string) => app.http().get(path).set('Authorization', bearer(adminToken)),
      delete: (path: string) => app.http().delete(path).set('Authorization', bearer(adminToken)),
    });

    it('shows the account’s identities in GET /admin/users/{id}', async () => {
      const { id } = await passwordless();
      const acme = await link(id, 'acme', 'x@acme.example');
      const view = await asAdmin().get(`/admin/users/${id}`).expect(200);
      expect(view.body.identities).toEqual([
        {
          id: acme.id,
          provider: 'acme',
          email: 'x@acme.example',
          created_at: acme.createdAt.toISOString(),
          last_used_at: null,
        },
      ]);
    });

    it('unlinks one (audited with the admin, mailed, sessions ended); never the last; 404s', async () => {
      const { user, id, token } = await passwordless();
      const acme = await link(id, 'acme');
      const beta = await link(id, 'beta');

      await asAdmin().delete(`/admin/users/${id}/identities/${acme.id}`).expect(204);
      await app.http().get('/me').set('Authorization', bearer(token)).expect(401);
      const refused = await asAdmin()
        .delete(`/admin/users/${id}/identities/${beta.id}`)
        .expect(409);
      expect(refused.body.type).toBe(LAST_METHOD);
      await asAdmin().delete(`/admin/users/${id}/identities/${acme.id}`).expect(404);
      await asAdmin().delete(`/admin/users/${randomUUID()}/identities/${beta.id}`).expect(404);
      // An identity of another account, named under this one.
      const other = await passwordless();
      const theirs = await link(other.id, 'acme');
      await link(other.id, 'beta');
      await asAdmin().delete(`/admin/users/${id}/identities/${theirs.id}`).expect(404);

      const history = await asAdmin().get(`/admin/audit?user_id=${id}`).expect(200);
      expect(history.body.events[0]).toMatchObject({
        type: 'identity_unlinked',
        actor_id: adminId,
      });
      await sink.waitFor(user.email, UNLINKED);
      expect(await identities().listForUser(id)).toHaveLength(1);
    });

    it('is for admins only', async () => {
      const { id, token } = await passwordless();
      const acme = await link(id, 'acme');
      await app
        .http()
        .delete(`/admin/users/${id}/identities/${acme.id}`)
        .set('Authorization', bearer(token))
        .expect(403);
    });
  });

  describe('a password reset through the mailed link', () => {
    const reset = async (user: TestUser, password = 'A-fresh-password-4711') => {
      await app.http().post('/password/forgot').send({ email: user.email }).expect(202);
      const mail = await sink.waitFor(user.email, RESET);
      await app
        .http()
        .post('/password/reset')
        .send({ token: mail.token, new_password: password })
        .expect(204);
      return password;
    };

    it('unlinks every identity when it proves an unverified address, and ends every session', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      const token = await logIn(app, user);
      await link(id, 'acme');
      await link(id, 'beta');

      const password = await reset(user);
      expect(await identities().listForUser(id)).toEqual([]);
      await app.http().get('/me').set('Authorization', bearer(token)).expect(401);
      const fresh = await logIn(app, { ...user, password });
      expect(await methods(fresh)).toEqual(['password']);
      const events = await activity(fresh);
      expect(
        events.filter((event) => event.type === 'identity_unlinked').map((event) => event.reason),
      ).toEqual(['address_proven', 'address_proven']);
      await sink.waitFor(user.email, UNLINKED);
      const account = await app.app.get(UsersService).findById(id);
      expect(account?.emailVerifiedAt).not.toBeNull();
    });

    it('keeps the identities of an account whose address was verified already', async () => {
      const user = await signUp(app);
      const id = await idOf(app, user);
      await app.app.get(UsersService).markEmailVerified(id, user.email, new Date());
      const acme = await link(id, 'acme');
      const password = await reset(user);
      expect((await identities().listForUser(id)).map((identity) => identity.id)).toEqual([
        acme.id,
      ]);
      const token = await logIn(app, { ...user, password });
      expect(await methods(token)).toEqual(['password', 'oidc:acme']);
    });

    it('gives an account without a password one: sign_in_methods then lists it', async () => {
      const { user, id, token } = await passwordless();
      await app.app.get(UsersService).markEmailVerified(id, user.email, new Date());
      await link(id, 'acme');
      expect(await methods(token)).toEqual(['oidc:acme']);
      const password = await reset(user);
      const fresh = await logIn(app, { ...user, password });
      expect(await methods(fresh)).toEqual(['password', 'oidc:acme']);
    });
  });
});
