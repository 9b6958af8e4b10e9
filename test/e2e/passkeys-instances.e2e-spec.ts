import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { decodeJwt } from '../support/jwt.js';
import { PasskeyAuthenticator } from '../support/passkey-authenticator.js';
import { ORIGIN, PASSKEY_ENV } from '../support/passkeys.js';
import { createFreshDatabase, testPostgresUrl, type FreshDatabase } from '../support/postgres.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { bearer, logIn, signUp } from '../support/users.factory.js';

const postgresUrl = await testPostgresUrl();

/**
 * Two instances on one PostgreSQL database: a ceremony's challenge lives in the database, so the
 * browser's answer may reach the other instance than the one that gave the options, and either
 * instance refuses it once spent.
 */
(postgresUrl ? describe : describe.skip)('passkeys across two instances', () => {
  let database: FreshDatabase;
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    database = await createFreshDatabase(postgresUrl!);
    a = await createTestApp({ ...PASSKEY_ENV, DATABASE_URL: database.url });
    b = await createTestApp({ ...PASSKEY_ENV, DATABASE_URL: database.url });
  });
  afterAll(async () => {
    await a?.close({ removeData: true });
    await b?.close();
    await database?.drop();
  });

  it('registers with options from A and the answer on B; signs in with options from B on A, once', async () => {
    const user = await signUp(a);
    const tokenOnA = await logIn(a, user);
    const tokenOnB = await logIn(b, user);
    const authenticator = new PasskeyAuthenticator(ORIGIN);

    const creation = await a
      .http()
      .post('/me/passkeys/options')
      .set('Authorization', bearer(tokenOnA))
      .send({ current_password: user.password })
      .expect(200);
    const registration = authenticator.register(
      creation.body as PublicKeyCredentialCreationOptionsJSON,
    );
    await b
      .http()
      .post('/me/passkeys')
      .set('Authorization', bearer(tokenOnB))
      .send({ response: registration })
      .expect(201);
    // Spent on B: A refuses the same answer.
    await a
      .http()
      .post('/me/passkeys')
      .set('Authorization', bearer(tokenOnA))
      .send({ response: registration })
      .expect(400);

    const { body } = await b.http().post('/login/passkey/options').expect(200);
    const { challenge_id, options } = body as {
      challenge_id: string;
      options: PublicKeyCredentialRequestOptionsJSON;
    };
    const assertion = authenticator.assert(options);
    const signedIn = await a
      .http()
      .post('/login/passkey')
      .send({ challenge_id, response: assertion })
      .expect(200);
    expect(decodeJwt(signedIn.body.access_token as string).payload).toEqual(
      expect.objectContaining({ amr: ['pop', 'user', 'mfa'] }),
    );
    // Spent on A: B refuses it too.
    const replayed = await b
      .http()
      .post('/login/passkey')
      .send({ challenge_id, response: assertion })
      .expect(401);
    expect(replayed.body.error).toBe('invalid_grant');
  });
});
