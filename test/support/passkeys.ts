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

/** An account with a passkey on `authenticator`, registered through the routes. */
export async function withPasskey(
  app: TestApp,
  authenticator = new PasskeyAuthenticator(ORIGIN),
): Promise<{ user: TestUser; id: string; token: string; authenticator: PasskeyAuthenticator }> {
  const user = await signUp(app);
  const token = await logIn(app, user);
  const options = await app
    .http()
    .post('/me/passkeys/options')
    .set('Authorization', bearer(token))
    .send({ current_password: user.password })
    .expect(200);
  await app
    .http()
    .post('/me/passkeys')
    .set('Authorization', bearer(token))
    .send({
      response: authenticator.register(options.body as PublicKeyCredentialCreationOptionsJSON),
    })
    .expect(201);
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
