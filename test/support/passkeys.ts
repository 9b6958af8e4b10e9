import { expect } from '@jest/globals';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { idOf } from './admins.js';
import { PasskeyAuthenticator, type AssertionOverrides } from './passkey-authenticator.js';
import type { TestApp } from './test-app.js';
import { bearer, logIn, signUp, type TestUser } from './users.factory.js';

/** A page on the RP id `localhost`, as a development setup has it. */
export const ORIGIN = 'http://localhost:5173';
export const PASSKEY_ENV: Readonly<Record<string, string>> = {
  WEBAUTHN_RP_ID: 'localhost',
  WEBAUTHN_ORIGINS: ORIGIN,
};

/** Awaits a request made by an async helper, and checks its status. */
export async function expectStatus<T extends { status: number }>(
  pending: Promise<T>,
  status: number,
): Promise<T> {
  const response = await pending;
  expect(response.status).toBe(status);
  return response;
}

/** The passkey as the account's routes show it. */
export interface RegisteredPasskey {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly last_used_at: string | null;
}

/**
 * Registers a passkey on `authenticator` through the routes: options (proving it is the owner with
 * `proof`: `{current_password}`, or nothing for an account without a password that signed in
 * recently), the authenticator's answer, the registration.
 */
export async function registerPasskey(
  app: TestApp,
  token: string,
  proof: Record<string, string> = {},
  authenticator = new PasskeyAuthenticator(ORIGIN),
): Promise<RegisteredPasskey> {
  const options = await app
    .http()
    .post('/me/passkeys/options')
    .set('Authorization', bearer(token))
    .send(proof)
    .expect(200);
  const created = await app
    .http()
    .post('/me/passkeys')
    .set('Authorization', bearer(token))
    .send({
      response: authenticator.register(options.body as PublicKeyCredentialCreationOptionsJSON),
    })
    .expect(201);
  return created.body as RegisteredPasskey;
}

/** An account with a password and a passkey on `authenticator`, registered through the routes. */
export async function withPasskey(
  app: TestApp,
  authenticator = new PasskeyAuthenticator(ORIGIN),
): Promise<{ user: TestUser; id: string; token: string; authenticator: PasskeyAuthenticator }> {
  const user = await signUp(app);
  const token = await logIn(app, user);
  await registerPasskey(app, token, { current_password: user.password }, authenticator);
  return { user, id: await idOf(app, user), token, authenticator };
}

/** `POST /login/passkey/options`. */
export async function signInOptions(
  app: TestApp,
): Promise<{ challenge_id: string; options: PublicKeyCredentialRequestOptionsJSON }> {
  return (await app.http().post('/login/passkey/options').expect(200)).body as {
    challenge_id: string;
    options: PublicKeyCredentialRequestOptionsJSON;
  };
}

/** The whole sign-in: options, the authenticator's assertion (bent by `overrides`), the answer. */
export async function signInWithPasskey(
  app: TestApp,
  authenticator: PasskeyAuthenticator,
  overrides: AssertionOverrides = {},
) {
  const { challenge_id, options } = await signInOptions(app);
  return app
    .http()
    .post('/login/passkey')
    .send({ challenge_id, response: authenticator.assert(options, overrides) });
}
