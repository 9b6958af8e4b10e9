import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { Database } from '../../src/database/database.js';
import { PasskeysRepository } from '../../src/passkeys/passkeys.repository.js';
import { idOf } from '../support/admins.js';
import {
  FLAGS,
  PasskeyAuthenticator,
  type CeremonyOverrides,
} from '../support/passkey-authenticator.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { bearer, logIn, signUp, type TestUser } from '../support/users.factory.js';

/** A page on the RP id `localhost`, as a development setup has it. */
export const ORIGIN = 'http://localhost:5173';
export const PASSKEY_ENV: Readonly<Record<string, string>> = {
  WEBAUTHN_RP_ID: 'localhost',
  WEBAUTHN_ORIGINS: ORIGIN,
};
const ADDED = /A passkey was added/;
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

  it('needs the current password (403 wrong, 422 missing for an account with one)', async () => {
    const user = await signUp(app);
    const token = await logIn(app, user);
    const wrong = await options(token, { current_password: 'not-it' }).expect(403);
    expect(wrong.body.type).toBe('/problems/wrong-password');
    // Without one: an account that has a password fails as a wrong one, under the same limits.
    await options(token, {}).expect(403);
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
