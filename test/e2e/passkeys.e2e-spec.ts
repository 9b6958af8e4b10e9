import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { AuthService } from '../../src/auth/auth.service.js';
import { PASSKEY_LAST_METHOD } from '../../src/auth/sign-in-methods/sign-in-methods.service.js';
import { Database } from '../../src/database/database.js';
import { IdentitiesRepository } from '../../src/identities/identities.repository.js';
import { PasskeysRepository } from '../../src/passkeys/passkeys.repository.js';
import { UsersService } from '../../src/users/users.service.js';
import { idOf, signUpAdmin } from '../support/admins.js';
import {
  createFederatedApp,
  exchangeCode,
  PROVIDER_CLIENT,
  signInThroughProvider,
} from '../support/federated-sign-in.js';
import { decodeJwt } from '../support/jwt.js';
import {
  freeLoopbackPort,
  startTestProvider,
  type TestProvider,
} from '../support/oidc-provider.js';
import {
  expectStatus,
  ORIGIN,
  registerPasskey,
  PASSKEY_ENV,
  signInOptions,
  signInWithPasskey,
  withPasskey,
} from '../support/passkeys.js';
import {
  FLAGS,
  PasskeyAuthenticator,
  type AssertionOverrides,
  type CeremonyOverrides,
} from '../support/passkey-authenticator.js';
import { createFreshDatabase, testPostgresUrl } from '../support/postgres.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { aUser, bearer, logIn, signUp, type TestUser } from '../support/users.factory.js';

const postgresUrl = await testPostgresUrl();
const ADDED = /A passkey was added/;
/** Options no server gave: for a credential only the test's authenticator knows. */
const UNREGISTERED_OPTIONS: PublicKeyCredentialCreationOptionsJSON = {
  rp: { id: 'localhost', name: 'x' },
  user: { id: 'aGFuZGxl', name: 'x', displayName: 'x' },
  challenge: 'Y2hhbGxlbmdl',
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
};
const REMOVED = /A passkey was removed/;

describe('passkeys: registering from the account', () => {
  let sink: SmtpSink;
  let app: TestApp;

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    app = await createTestApp({ ...PASSKEY_ENV, SMTP_URL: sink.url });
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await sink.close();
  });

  const options = (token: string, body: Record<string, unknown>) =>
    app.http().post('/me/passkeys/options').set('Authorization', bearer(token)).send(body);
  const creationOptions = async (
    token: string,
    user: TestUser,
  ): Promise<PublicKeyCredentialCreationOptionsJSON> =>
    (await options(token, { current_password: user.password }).expect(200))
      .body as PublicKeyCredentialCreationOptionsJSON;
  const add = (token: string, response: RegistrationResponseJSON, name?: string) =>
    app
      .http()
      .post('/me/passkeys')
      .set('Authorization', bearer(token))
      .send({ response, ...(name === undefined ? {} : { name }) });
  /** Options, the authenticator's answer (bent by `overrides`), and the registration's answer. */
  const register = async (
    token: string,
    user: TestUser,
    authenticator: PasskeyAuthenticator,
    overrides: CeremonyOverrides = {},
  ) => add(token, authenticator.register(await creationOptions(token, user), overrides));
  const registered = async (
    token: string,
    user: TestUser,
    authenticator: PasskeyAuthenticator,
  ): Promise<{ id: string; name: string }> => {
    const response = await register(token, user, authenticator);
    expect(response.status).toBe(201);
    return response.body as { id: string; name: string };
  };
  const activity = async (token: string) =>
    (await app.http().get('/me/activity').set('Authorization', bearer(token)).expect(200)).body
      .events as { type: string }[];

  it('gives creation options: discoverable, user verification, a random handle, attestation none', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const first = await creationOptions(token, user);
    expect(first).toMatchObject({
      rp: { id: 'localhost', name: expect.any(String) },
      user: { name: user.username, displayName: user.username },
      challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      timeout: 300_000,
      attestation: 'none',
      excludeCredentials: [],
      authenticatorSelection: {
        residentKey: 'required',
        requireResidentKey: true,
        userVerification: 'required',
      },
    });
    // The user handle: 32 random bytes, never the username, address or account id, and the same
    // on every registration of the account.
    expect(first.user.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const revealing of [user.username, user.email, await idOf(app, user)]) {
      expect(Buffer.from(first.user.id, 'base64url').toString()).not.toContain(revealing);
    }
    const second = await creationOptions(token, user);
    expect(second.user.id).toBe(first.user.id);
    expect(second.challenge).not.toBe(first.challenge);
  });

  it('registers a passkey: 201, listed, on GET /me, audited, mailed; excluded from then on', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const authenticator = new PasskeyAuthenticator(ORIGIN);
    const created = await add(
      token,
      authenticator.register(await creationOptions(token, user)),
      ' Work laptop ',
    ).expect(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Work laptop',
      created_at: expect.any(String),
      last_used_at: null,
      transports: ['hybrid', 'internal'],
      backed_up: true,
    });
    const listed = await app
      .http()
      .get('/me/passkeys')
      .set('Authorization', bearer(token))
      .expect(200);
    expect(listed.body).toEqual({ passkeys: [created.body] });
    const me = await app.http().get('/me').set('Authorization', bearer(token)).expect(200);
    expect(me.body.sign_in_methods).toEqual(['password', 'passkey']);
    expect((await activity(token))[0]).toMatchObject({ type: 'passkey_added' });
    expect((await sink.waitFor(user.email, ADDED)).text).toContain(user.username);

    // The next options exclude it: the same authenticator refuses to make a second one.
    const next = await creationOptions(token, user);
    expect(next.excludeCredentials).toEqual([
      {
        id: authenticator.credentials[0]!.id,
        type: 'public-key',
        transports: ['hybrid', 'internal'],
      },
    ]);
    expect(() => authenticator.register(next)).toThrow(/InvalidStateError/);
    // A second authenticator registers beside it, named by default.
    const other = await add(token, new PasskeyAuthenticator(ORIGIN).register(next)).expect(201);
    expect(other.body.name).toBe('Passkey');
  });

  it('needs the current password of an account with one (403 wrong, 422 missing)', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const wrong = await options(token, { current_password: 'not-it' }).expect(403);
    expect(wrong.body.type).toBe('/problems/wrong-password');
    // Without one: an account that has a password must send it (a recent sign-in never stands in).
    const missing = await options(token, {}).expect(422);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'current_password' })]);
  });

  it('refuses a replayed challenge: each options answer registers at most once', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const given = await creationOptions(token, user);
    await add(token, new PasskeyAuthenticator(ORIGIN).register(given)).expect(201);
    const replay = await add(token, new PasskeyAuthenticator(ORIGIN).register(given)).expect(400);
    expect(replay.body).toMatchObject({
      type: '/problems/invalid-passkey-registration',
      status: 400,
    });
  });

  it('refuses an expired challenge', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const given = await creationOptions(token, user);
    await app.app
      .get(Database)
      .updateTable('webauthn_challenges')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('challenge', '=', given.challenge)
      .execute();
    await add(token, new PasskeyAuthenticator(ORIGIN).register(given)).expect(400);
  });

  it('refuses another account’s challenge', async () => {
    const someone = await signUp(app);
    const theirs = await creationOptions(await logIn(app, someone), someone);
    const user = await signUp(app);
    const token = await logIn(app, user);
    await add(token, new PasskeyAuthenticator(ORIGIN).register(theirs)).expect(400);
  });

  it('refuses another origin, another RP id, no user verification, no user presence, a sign-in type', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    for (const overrides of [
      { origin: 'http://localhost:6666' },
      { origin: 'https://evil.example' },
      { rpId: 'evil.example' },
      { flags: FLAGS.UP | FLAGS.AT },
      { flags: FLAGS.UV | FLAGS.AT },
      { type: 'webauthn.get' },
    ] satisfies CeremonyOverrides[]) {
      const refused = await register(token, user, new PasskeyAuthenticator(ORIGIN), overrides);
      expect({ overrides, status: refused.status }).toEqual({ overrides, status: 400 });
    }
    expect(await app.app.get(PasskeysRepository).listForUser(await idOf(app, user))).toEqual([]);
  });

  it('refuses a body that is no answer (422), and an answer the checks cannot read (400)', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const missing = await app
      .http()
      .post('/me/passkeys')
      .set('Authorization', bearer(token))
      .send({ name: 'x' })
      .expect(422);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ field: 'response', detail: 'response must be an object.' }),
    ]);
    await add(token, { id: 'x' } as unknown as RegistrationResponseJSON).expect(400);
  });

  it('refuses a credential registered already (409), to this or another account', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const authenticator = new PasskeyAuthenticator(ORIGIN);
    await registered(token, user, authenticator);
    const held = authenticator.credentials[0]!.id;
    const someone = await signUp(app);
    const theirToken = await logIn(app, someone);
    const again = await add(
      theirToken,
      authenticator.register(await creationOptions(theirToken, someone), { reuse: held }),
    ).expect(409);
    expect(again.body.type).toBe('/problems/passkey-already-registered');
    // An answer naming another id than the one attested is no registration at all.
    const fresh = new PasskeyAuthenticator(ORIGIN).register(await creationOptions(token, user));
    await add(token, { ...fresh, id: held, rawId: held }).expect(400);
  });

  it('renames a passkey; 404 for another account’s, an unknown or a bad id; 422 for a bad name', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const body = await registered(token, user, new PasskeyAuthenticator(ORIGIN));
    const rename = (id: string, name: unknown, as = token) =>
      app.http().patch(`/me/passkeys/${id}`).set('Authorization', bearer(as)).send({ name });
    const renamed = await rename(body.id, 'Phone').expect(200);
    expect(renamed.body).toEqual({ ...body, name: 'Phone' });
    const stranger = await signUp(app);
    await rename(body.id, 'Mine now', await logIn(app, stranger)).expect(404);
    await rename(randomUUID(), 'Nothing').expect(404);
    await rename('not-a-uuid', 'Nothing').expect(404);
    for (const bad of ['', '   ', 'a'.repeat(65), 'tab\there', 7]) {
      await rename(body.id, bad).expect(422);
    }
  });

  it('removes a passkey: 204, audited, mailed, other sessions ended; another account’s is 404', async () => {
    const user = await signUp(app);
    const other = await logIn(app, user);
    const token = await logIn(app, user);
    const body = await registered(token, user, new PasskeyAuthenticator(ORIGIN));
    const stranger = await signUp(app);
    const strangerToken = await logIn(app, stranger);
    await app
      .http()
      .delete(`/me/passkeys/${String(body.id)}`)
      .set('Authorization', bearer(strangerToken))
      .expect(404);
    await app
      .http()
      .delete(`/me/passkeys/${String(body.id)}`)
      .set('Authorization', bearer(token))
      .expect(204);
    const listed = await app
      .http()
      .get('/me/passkeys')
      .set('Authorization', bearer(token))
      .expect(200);
    expect(listed.body).toEqual({ passkeys: [] });
    await app.http().get('/me').set('Authorization', bearer(other)).expect(401);
    expect((await activity(token))[0]).toMatchObject({ type: 'passkey_removed' });
    await sink.waitFor(user.email, REMOVED);
    await app
      .http()
      .delete(`/me/passkeys/${String(body.id)}`)
      .set('Authorization', bearer(token))
      .expect(404);
  });

  it('deletes the passkeys with the account', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const id = await idOf(app, user);
    await registered(token, user, new PasskeyAuthenticator(ORIGIN));
    await app
      .http()
      .delete('/me')
      .set('Authorization', bearer(token))
      .send({ current_password: user.password })
      .expect(204);
    expect(await app.app.get(PasskeysRepository).listForUser(id)).toEqual([]);
    expect(await app.app.get(PasskeysRepository).findUserHandle(id)).toBeUndefined();
  });
});

describe('passkeys: signing in', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ ...PASSKEY_ENV, ADMIN_REQUIRE_MFA: 'on' });
  });
  afterAll(() => app.close({ removeData: true }));

  const events = (userId: string) => app.app.get(AuditRepository).listForUser(userId, 20);
  const expectRefused = (response: { status: number; body: unknown; headers: object }) => {
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({
      type: '/problems/invalid-passkey',
      status: 401,
      error: 'invalid_grant',
    });
    expect((response.headers as Record<string, string>)['content-type']).toMatch(
      /^application\/json/,
    );
  };

  it('gives request options that name no account: allowCredentials empty, user verification required', async () => {
    const { challenge_id, options } = await signInOptions(app);
    expect(challenge_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(options).toMatchObject({
      rpId: 'localhost',
      challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      allowCredentials: [],
      userVerification: 'required',
      timeout: 300_000,
    });
    expect((await signInOptions(app)).options.challenge).not.toBe(options.challenge);
  });

  it('signs in without a username: tokens with amr pop/user/mfa and auth_time now, no TOTP step', async () => {
    const { user, id, token, authenticator } = await withPasskey(app);
    const before = Math.floor(Date.now() / 1000);
    const response = await expectStatus(signInWithPasskey(app, authenticator), 200);
    expect(response.body).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      token_type: 'bearer',
    });
    const { payload } = decodeJwt(response.body.access_token as string);
    expect(payload).toMatchObject({ sub: id, amr: ['pop', 'user', 'mfa'] });
    expect(payload.idp).toBeUndefined();
    expect(payload.auth_time).toBeGreaterThanOrEqual(before);
    const me = await app
      .http()
      .get('/me')
      .set('Authorization', bearer(response.body.access_token as string))
      .expect(200);
    expect(me.body.username).toBe(user.username);
    // The device cookie, as a password login sets it.
    expect(String(response.headers['set-cookie'])).toMatch(/device=/);
    const [latest] = await events(id);
    expect(latest).toMatchObject({ type: 'login_succeeded', method: 'passkey' });
    // Shown to the owner in the words of GET /me's sign_in_methods.
    const signedIn = bearer(response.body.access_token as string);
    const activity = await app
      .http()
      .get('/me/activity')
      .set('Authorization', signedIn)
      .expect(200);
    expect(activity.body.events[0]).toMatchObject({
      type: 'login_succeeded',
      sign_in_method: 'passkey',
    });
    const sessions = await app
      .http()
      .get('/me/sessions')
      .set('Authorization', signedIn)
      .expect(200);
    expect(
      (sessions.body.sessions as { current: boolean; sign_in_method: string }[]).find(
        (session) => session.current,
      )?.sign_in_method,
    ).toBe('passkey');
    const listed = await app
      .http()
      .get('/me/passkeys')
      .set('Authorization', bearer(token))
      .expect(200);
    expect(listed.body.passkeys[0].last_used_at).not.toBeNull();

    // A refresh keeps how and when the session signed in.
    const refreshed = await app
      .http()
      .post('/refresh')
      .send({ refresh_token: response.body.refresh_token })
      .expect(200);
    const again = decodeJwt(refreshed.body.access_token as string).payload;
    expect(again).toMatchObject({ amr: ['pop', 'user', 'mfa'], auth_time: payload.auth_time });
  });

  it('passes ADMIN_REQUIRE_MFA: a passkey is two factors', async () => {
    const { id, authenticator } = await withPasskey(app);
    await app.app.get(UsersService).setRoles(id, ['admin']);
    const { body } = await expectStatus(signInWithPasskey(app, authenticator), 200);
    await app
      .http()
      .get('/admin/users')
      .set('Authorization', bearer(body.access_token as string))
      .expect(200);
  });

  it('refuses a replayed challenge', async () => {
    const { authenticator } = await withPasskey(app);
    const { challenge_id, options } = await signInOptions(app);
    const send = () =>
      app
        .http()
        .post('/login/passkey')
        .send({ challenge_id, response: authenticator.assert(options) });
    await send().expect(200);
    expectRefused(await send());
  });

  it('refuses an expired challenge, and an unknown one', async () => {
    const { authenticator } = await withPasskey(app);
    const { challenge_id, options } = await signInOptions(app);
    await app.app
      .get(Database)
      .updateTable('webauthn_challenges')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', challenge_id)
      .execute();
    expectRefused(
      await app
        .http()
        .post('/login/passkey')
        .send({ challenge_id, response: authenticator.assert(options) }),
    );
    expectRefused(
      await app
        .http()
        .post('/login/passkey')
        .send({ challenge_id: randomUUID(), response: authenticator.assert(options) }),
    );
  });

  it('refuses another origin, another RP id, no user verification, no user presence, another challenge', async () => {
    const { id, authenticator } = await withPasskey(app);
    for (const overrides of [
      { origin: 'http://localhost:6666' },
      { origin: 'https://evil.example' },
      { rpId: 'evil.example' },
      { flags: FLAGS.UP },
      { flags: FLAGS.UV },
      { challenge: 'c29tZXRoaW5nLWVsc2U' },
      { type: 'webauthn.create' },
    ] satisfies AssertionOverrides[]) {
      const refused = await signInWithPasskey(app, authenticator, overrides);
      expect({ overrides, status: refused.status }).toEqual({ overrides, status: 401 });
    }
    const failures = (await events(id)).filter((event) => event.type === 'login_failed');
    expect(failures[0]).toMatchObject({ reason: 'invalid_passkey', method: 'passkey' });
    // The passkey still signs in: refusals changed nothing.
    await expectStatus(signInWithPasskey(app, authenticator), 200);
  });

  it('refuses a signature counter that did not go up, and audits a suspected clone', async () => {
    const { id, authenticator } = await withPasskey(app);
    await expectStatus(signInWithPasskey(app, authenticator, { signCount: 10 }), 200);
    // A copy of the key, behind the original: its counter goes backwards, then stands still.
    for (const signCount of [5, 10]) {
      expectRefused(await signInWithPasskey(app, authenticator, { signCount }));
    }
    const clones = (await events(id)).filter((event) => event.type === 'passkey_clone_suspected');
    expect(clones).toHaveLength(2);
    await expectStatus(signInWithPasskey(app, authenticator, { signCount: 11 }), 200);
  });

  it('judges the counter only once the signature verified: a forged answer raises no clone alarm', async () => {
    const { id, authenticator } = await withPasskey(app);
    await expectStatus(signInWithPasskey(app, authenticator, { signCount: 10 }), 200);
    const { challenge_id, options } = await signInOptions(app);
    const forged = authenticator.assert(options, { signCount: 3 });
    // Someone without the key: a well-formed signature over the same data, by another key.
    const other = new PasskeyAuthenticator(ORIGIN);
    other.register(UNREGISTERED_OPTIONS);
    forged.response.signature = other.assert(options, { signCount: 3 }).response.signature;
    expectRefused(await app.http().post('/login/passkey').send({ challenge_id, response: forged }));
    const types = (await events(id)).map((event) => event.type);
    expect(types).not.toContain('passkey_clone_suspected');
    expect(types[0]).toBe('login_failed');
  });

  it('accepts an authenticator without a counter (always 0), as WebAuthn allows', async () => {
    const { authenticator } = await withPasskey(app);
    await expectStatus(signInWithPasskey(app, authenticator, { signCount: 0 }), 200);
    await expectStatus(signInWithPasskey(app, authenticator, { signCount: 0 }), 200);
  });

  it('refuses a userHandle other than the owner’s, or none', async () => {
    const { authenticator } = await withPasskey(app);
    const someone = await withPasskey(app);
    const theirHandle = someone.authenticator.credentials[0]!.userHandle;
    expectRefused(await signInWithPasskey(app, authenticator, { userHandle: theirHandle }));
    expectRefused(await signInWithPasskey(app, authenticator, { userHandle: null }));
    // Nor does someone else's handle lead to their account with one's own key.
    const forged = await signInWithPasskey(app, someone.authenticator, {
      userHandle: authenticator.credentials[0]!.userHandle,
    });
    expectRefused(forged);
  });

  it('refuses a credential nobody registered, and a disabled account', async () => {
    const stranger = new PasskeyAuthenticator(ORIGIN);
    stranger.register(UNREGISTERED_OPTIONS);
    expectRefused(await signInWithPasskey(app, stranger));
    const { id, authenticator } = await withPasskey(app);
    await app.app.get(UsersService).disable(id, new Date(), 'test');
    expectRefused(await signInWithPasskey(app, authenticator));
    expect((await events(id))[0]).toMatchObject({
      type: 'login_failed',
      reason: 'account_disabled',
      method: 'passkey',
    });
  });

  it('refuses a body that is no answer (422)', async () => {
    const missing = await app.http().post('/login/passkey').send({ challenge_id: randomUUID() });
    expect(missing.status).toBe(422);
    await app.http().post('/login/passkey').send({ response: {} }).expect(422);
  });
});

describe('passkeys: the failed-login counters', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({
      ...PASSKEY_ENV,
      // Each client its own address, through X-Forwarded-For.
      TRUST_PROXY: '127.0.0.1,::1,::ffff:127.0.0.1',
      LOGIN_MAX_FAILURES: '2',
      LOGIN_MAX_FAILURES_ACCOUNT: '2',
      LOGIN_MAX_FAILURES_PER_ADDRESS: '4',
    });
  });
  afterAll(() => app.close({ removeData: true }));

  const from = (
    ip: string,
    request: ReturnType<TestApp['http']>['post'] extends (p: string) => infer T ? T : never,
  ) => request.set('X-Forwarded-For', ip);
  const passkeyFrom = async (
    ip: string,
    authenticator: PasskeyAuthenticator,
    overrides: AssertionOverrides = {},
  ) => {
    const { challenge_id, options } = await signInOptions(app);
    return from(ip, app.http().post('/login/passkey')).send({
      challenge_id,
      response: authenticator.assert(options, overrides),
    });
  };
  const passwordFrom = (ip: string, user: TestUser, password: string) =>
    app
      .http()
      .post('/login')
      .set('X-Forwarded-For', ip)
      .send({ username: user.username, password });

  it('never refuses a valid passkey because someone is guessing the account’s password', async () => {
    const { user, authenticator } = await withPasskey(app);
    for (let guess = 0; guess < 3; guess += 1) await passwordFrom('198.51.100.1', user, 'guess');
    // Clients the account does not know have spent its shared allowance: the password is refused…
    await passwordFrom('198.51.100.2', user, user.password).expect(429);
    // …the passkey is not.
    await expectStatus(passkeyFrom('198.51.100.2', authenticator), 200);
  });

  it('counts failed passkey sign-ins against the address only; a success gives its attempt back', async () => {
    const { user, authenticator } = await withPasskey(app);
    for (let round = 0; round < 3; round += 1) {
      await expectStatus(passkeyFrom('198.51.100.3', authenticator), 200);
    }
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      statuses.push(
        (await passkeyFrom('198.51.100.3', authenticator, { userHandle: null })).status,
      );
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    // The address is out of attempts, even for a right answer…
    await expectStatus(passkeyFrom('198.51.100.3', authenticator), 429);
    // …another address is not, and the account's own counters never moved (4 failures > 2).
    await expectStatus(passkeyFrom('198.51.100.4', authenticator), 200);
    await passwordFrom('198.51.100.5', user, user.password).expect(200);
  });
});

describe('passkeys: RATE_LIMIT_PER_IP', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp({ ...PASSKEY_ENV, RATE_LIMIT_PER_IP: '2' });
  });
  afterAll(() => app.close({ removeData: true }));

  it('limits both sign-in routes per address', async () => {
    const statuses = async (send: () => PromiseLike<{ status: number }>) => {
      const answers: number[] = [];
      for (let i = 0; i < 3; i += 1) answers.push((await send()).status);
      return answers;
    };
    expect(await statuses(() => app.http().post('/login/passkey/options'))).toEqual([
      200, 200, 429,
    ]);
    const body = { challenge_id: randomUUID(), response: {} };
    expect(await statuses(() => app.http().post('/login/passkey').send(body))).toEqual([
      401, 401, 429,
    ]);
  });
});

describe('passkeys: off without WEBAUTHN_RP_ID', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close({ removeData: true }));

  it('answers 404 on every passkey route', async () => {
    await app.http().post('/login/passkey/options').expect(404);
    const signIn = await app
      .http()
      .post('/login/passkey')
      .send({ challenge_id: randomUUID(), response: {} })
      .expect(404);
    expect(signIn.body.type).toBe('/problems/not-found');
    const user = await signUp(app);
    const token = await logIn(app, user);
    for (const [method, path] of [
      ['post', '/me/passkeys/options'],
      ['post', '/me/passkeys'],
      ['get', '/me/passkeys'],
      ['patch', `/me/passkeys/${randomUUID()}`],
      ['delete', `/me/passkeys/${randomUUID()}`],
    ] as const) {
      const response = await app
        .http()
        [method](path)
        .set('Authorization', bearer(token))
        .send({ current_password: user.password, name: 'x', response: {} });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
    }
  });
});

describe('passkeys: the last way to sign in, and admins', () => {
  let provider: TestProvider;
  let app: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    provider = await startTestProvider({ accounts: [], clients: [PROVIDER_CLIENT] });
    app = await createFederatedApp(provider, PASSKEY_ENV);
    adminToken = await logIn(app, await signUpAdmin(app));
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await provider.stop();
  });

  /** An account made by a sign-in through the provider (no password), with an access token. */
  const providerMade = async (): Promise<{ id: string; token: string }> => {
    const sub = `pk${randomUUID().slice(0, 8)}`;
    provider.setAccount({ sub, email: `${sub}@acme.example`, email_verified: true });
    const signIn = await signInThroughProvider(app, provider, sub);
    const code = signIn.redirect.searchParams.get('code') ?? '';
    const { body } = await exchangeCode(app, code, signIn.pkce.verifier).expect(200);
    const token = body.access_token as string;
    return { id: decodeJwt(token).payload.sub as string, token };
  };
  /**
   * Registers a passkey for the account through the routes: an account made through the provider
   * has no password, and proves it is the owner by its fresh sign-in (REAUTH_MAX_AGE).
   */
  const addPasskey = async (token: string, authenticator = new PasskeyAuthenticator(ORIGIN)) => ({
    passkey: await registerPasskey(app, token, {}, authenticator),
    authenticator,
  });
  const methods = async (token: string): Promise<string[]> =>
    (await app.http().get('/me').set('Authorization', bearer(token)).expect(200)).body
      .sign_in_methods as string[];
  const removeOwn = (token: string, id: string) =>
    app.http().delete(`/me/passkeys/${id}`).set('Authorization', bearer(token));
  const removeAsAdmin = (userId: string, id: string) =>
    app
      .http()
      .delete(`/admin/users/${userId}/passkeys/${id}`)
      .set('Authorization', bearer(adminToken));

  it('counts a passkey as a way in: the identity goes, then the last passkey cannot (409)', async () => {
    const { id, token } = await providerMade();
    const { passkey, authenticator } = await addPasskey(token);
    expect(await methods(token)).toEqual(['oidc:acme', 'passkey']);
    // The passkey signs the provider-made account in on its own.
    const signedIn = await expectStatus(signInWithPasskey(app, authenticator), 200);
    expect(decodeJwt(signedIn.body.access_token as string).payload.sub).toBe(id);

    const [identity] = await app.app.get(IdentitiesRepository).listForUser(id);
    await app
      .http()
      .delete(`/me/identities/${identity!.id}`)
      .set('Authorization', bearer(token))
      .expect(204);
    expect(await methods(token)).toEqual(['passkey']);

    const refused = await removeOwn(token, passkey.id).expect(409);
    expect(refused.body).toMatchObject({
      type: '/problems/last-sign-in-method',
      detail: PASSKEY_LAST_METHOD,
    });
    // For admins too.
    await removeAsAdmin(id, passkey.id).expect(409);
    await expectStatus(signInWithPasskey(app, authenticator), 200);
  });

  it('lets exactly one of two concurrent removals of the last two passkeys win', async () => {
    for (let round = 0; round < 3; round += 1) {
      const { id, token } = await providerMade();
      const [identity] = await app.app.get(IdentitiesRepository).listForUser(id);
      const first = await addPasskey(token);
      const second = await addPasskey(token);
      await app
        .http()
        .delete(`/me/identities/${identity!.id}`)
        .set('Authorization', bearer(token))
        .expect(204);
      const answers = await Promise.all([
        removeOwn(token, first.passkey.id),
        removeAsAdmin(id, second.passkey.id),
      ]);
      expect(answers.map((answer) => answer.status).sort()).toEqual([204, 409]);
      expect(await app.app.get(PasskeysRepository).listForUser(id)).toHaveLength(1);
    }
  });

  it('shows an account’s passkeys to admins, and lets them remove one (audited with the admin)', async () => {
    const user = await signUp(app);
    const id = await idOf(app, user);
    const session = await logIn(app, user);
    const passkey = await registerPasskey(app, session, { current_password: user.password });
    const shown = await app
      .http()
      .get(`/admin/users/${id}`)
      .set('Authorization', bearer(adminToken))
      .expect(200);
    expect(shown.body.passkeys).toEqual([
      {
        id: passkey.id,
        name: 'Passkey',
        created_at: passkey.created_at,
        last_used_at: null,
        transports: ['hybrid', 'internal'],
        backed_up: true,
      },
    ]);
    // Another account's passkey id, an unknown one: 404.
    const someone = await signUp(app);
    await removeAsAdmin(await idOf(app, someone), passkey.id).expect(404);
    await removeAsAdmin(id, randomUUID()).expect(404);

    await removeAsAdmin(id, passkey.id).expect(204);
    expect(await app.app.get(PasskeysRepository).listForUser(id)).toEqual([]);
    // Every session of the account ends.
    await app.http().get('/me').set('Authorization', bearer(session)).expect(401);
    const [removed] = await app.app.get(AuditRepository).listForUser(id, 1);
    expect(removed).toMatchObject({
      type: 'passkey_removed',
      actorId: decodeJwt(adminToken).payload.sub,
    });
  });
});

/** The last-way-in rule and deletion on every store (memory, SQLite, PostgreSQL). */
function passkeyStoreRules(name: string, env: () => Promise<Record<string, string>>): void {
  describe(`passkeys on ${name}`, () => {
    let app: TestApp;

    beforeAll(async () => {
      app = await createTestApp({
        ...PASSKEY_ENV,
        // A provider configured (nothing listens: discovery is not needed here).
        PUBLIC_URL: 'http://127.0.0.1:8125',
        OIDC_PROVIDERS: 'acme',
        OIDC_ACME_ISSUER: `http://127.0.0.1:${await freeLoopbackPort()}`,
        OIDC_ACME_CLIENT_ID: 'auth-service',
        OIDC_ACME_CLIENT_SECRET: 'acme-secret',
        ...(await env()),
      });
    });
    afterAll(() => app.close({ removeData: true }));

    const client = { ip: '127.0.0.1', userAgent: 'test', requestId: null };
    /** An account with no password and an identity at `acme`, signed in. */
    const passwordless = async () => {
      const { username, email } = aUser();
      const user = await app.app.get(UsersService).create({ username, email, passwordHash: null });
      const identity = await app.app.get(IdentitiesRepository).link({
        userId: user.id,
        provider: 'acme',
        issuer: 'https://acme.example',
        subject: randomUUID(),
        email,
        createdAt: new Date(),
      });
      // Signed in as a provider's callback does: its fresh sign-in proves it is the owner.
      const { access_token } = await app.app
        .get(AuthService)
        .login(user, client, ['fed'], { idp: 'acme' });
      return { user, identity, token: access_token };
    };
    const addPasskey = async (token: string, authenticator = new PasskeyAuthenticator(ORIGIN)) => ({
      passkey: await registerPasskey(app, token, {}, authenticator),
      authenticator,
    });
    const remove = (token: string, id: string) =>
      app.http().delete(`/me/passkeys/${id}`).set('Authorization', bearer(token));

    it('counts passkeys as ways in; lets exactly one of two concurrent removals of the last two win', async () => {
      for (let round = 0; round < 3; round += 1) {
        const { user, identity, token } = await passwordless();
        const first = await addPasskey(token);
        const second = await addPasskey(token);
        await app
          .http()
          .delete(`/me/identities/${identity.id}`)
          .set('Authorization', bearer(token))
          .expect(204);
        const answers = await Promise.all([
          remove(token, first.passkey.id),
          remove(token, second.passkey.id),
        ]);
        expect(answers.map((answer) => answer.status).sort()).toEqual([204, 409]);
        const [left] = await app.app.get(PasskeysRepository).listForUser(user.id);
        const kept = left?.id === first.passkey.id ? first : second;
        await expectStatus(signInWithPasskey(app, kept.authenticator), 200);
      }
    });

    it('deletes the passkeys with the account: its authenticator signs nobody in', async () => {
      const { user, authenticator } = await withPasskey(app);
      const token = await logIn(app, user);
      await app
        .http()
        .delete('/me')
        .set('Authorization', bearer(token))
        .send({ current_password: user.password })
        .expect(204);
      expect((await signInWithPasskey(app, authenticator)).status).toBe(401);
      const credentialId = authenticator.credentials[0]!.id;
      expect(
        await app.app.get(PasskeysRepository).findByCredentialId(credentialId),
      ).toBeUndefined();
    });
  });
}

passkeyStoreRules('SQLite', () => Promise.resolve({}));
passkeyStoreRules('the in-memory store', () => Promise.resolve({ DATABASE_URL: 'memory:' }));
if (postgresUrl) {
  passkeyStoreRules('PostgreSQL', async () => ({
    DATABASE_URL: (await createFreshDatabase(postgresUrl)).url,
  }));
} else {
  describe.skip('passkeys on PostgreSQL (no server)', () => {
    it('skipped', () => undefined);
  });
}
