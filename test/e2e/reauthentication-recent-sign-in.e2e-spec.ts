import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Response, Test } from 'supertest';
import { UsersService } from '../../src/users/users.service.js';
import {
  createFederatedApp,
  exchangeCode,
  PROVIDER_CLIENT,
  signInThroughProvider,
} from '../support/federated-sign-in.js';
import { decodeJwt } from '../support/jwt.js';
import {
  startTestProvider,
  type TestAccount,
  type TestProvider,
} from '../support/oidc-provider.js';
import { SmtpSink } from '../support/smtp-sink.js';
import type { TestApp } from '../support/test-app.js';
import { useDateClock, type DateClock } from '../support/date-clock.js';
import { base32Decode, totpCode } from '../support/totp.js';
import { aUser, bearer, logInForTokens, signUp, type Tokens } from '../support/users.factory.js';

// Issue 25: an account without a password (made through a provider) proves it is its owner by a
// recent interactive sign-in (REAUTH_MAX_AGE, 5 minutes by default) where other accounts give the
// current password. Only Date is faked, so that the window can pass without waiting.

const MAX_AGE = 300;
const REAUTH_REQUIRED = {
  type: '/problems/reauthentication-required',
  status: 403,
  max_age: MAX_AGE,
};
const MISSING_PASSWORD = [
  {
    field: 'current_password',
    pointer: '#/current_password',
    detail: 'current_password must not be empty.',
  },
];

let accounts = 0;
function anAccount(): TestAccount {
  accounts++;
  const name = `re${accounts}${Math.random().toString(36).slice(2, 8)}`;
  return { sub: `sub-${name}`, email: `${name}@example.com`, email_verified: true };
}

describe('re-authentication by a recent sign-in, for an account without a password', () => {
  let clock: DateClock;
  let sink: SmtpSink;
  let provider: TestProvider;
  let app: TestApp;

  beforeAll(async () => {
    clock = useDateClock();
    sink = await new SmtpSink().start();
    provider = await startTestProvider({ accounts: [], clients: [PROVIDER_CLIENT] });
    // Few failures allowed: a refusal for staleness that counted would soon show as a 429.
    app = await createFederatedApp(provider, { SMTP_URL: sink.url, LOGIN_MAX_FAILURES: '3' });
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await provider.stop();
    await sink.close();
    jest.useRealTimers();
  });

  /** A sign-in through the provider up to our token exchange (200, or 403 mfa_required). */
  async function exchange(account: TestAccount): Promise<Response> {
    provider.setAccount(account);
    const signIn = await signInThroughProvider(app, provider, account.sub);
    const code = signIn.redirect.searchParams.get('code');
    if (!code) throw new Error(`no code: ${signIn.redirect.href}`);
    return exchangeCode(app, code, signIn.pkce.verifier);
  }

  /** A provider sign-in's tokens; the first one creates the account, without a password. */
  async function signedIn(account: TestAccount): Promise<Tokens> {
    const response = await exchange(account);
    expect(response.status).toBe(200);
    return response.body as Tokens;
  }

  const withToken = (test: Test, tokens: Tokens): Test =>
    test.set('Authorization', bearer(tokens.access_token));
  const startEnrolment = (tokens: Tokens, body: object = {}) =>
    withToken(app.http().post('/me/mfa/totp'), tokens).send(body);
  const changeEmail = (tokens: Tokens, account: TestAccount, body: object = {}) =>
    withToken(app.http().post('/me/email'), tokens).send({
      new_email: `new-${account.email}`,
      ...body,
    });
  const deleteAccount = (tokens: Tokens, body: object = {}) =>
    withToken(app.http().delete('/me'), tokens).send(body);
  const setPassword = (tokens: Tokens, body: object) =>
    withToken(app.http().post('/me/password'), tokens).send(body);
  const me = (tokens: Tokens) => withToken(app.http().get('/me'), tokens);

  const expectReauthenticationRequired = (response: Response): void => {
    expect(response.status).toBe(403);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject(REAUTH_REQUIRED);
    expect(response.body.detail).toMatch(/sign in again/i);
  };

  it('a fresh provider sign-in stands in for the password: MFA enrolment, POST /me/email, DELETE /me', async () => {
    const account = anAccount();
    const tokens = await signedIn(account);
    const user = await app.app.get(UsersService).findByEmail(account.email!);
    expect(user?.passwordHash).toBeNull();

    const enrolment = await startEnrolment(tokens).expect(200);
    expect(enrolment.body.secret).toEqual(expect.any(String));
    // A password sent by an account that has none is ignored: the recent sign-in decides.
    await startEnrolment(tokens, { current_password: 'anything at all' }).expect(200);
    // A request with no body at all, as a client with nothing to send makes it, is one too.
    await withToken(app.http().post('/me/mfa/totp'), tokens).expect(200);
    await changeEmail(tokens, account).expect(202);
    await withToken(app.http().delete('/me'), tokens).expect(204);
    await me(tokens).expect(401);
    expect(await app.app.get(UsersService).findById(user!.id)).toBeUndefined();
  });

  it('after REAUTH_MAX_AGE: 403 reauthentication-required with max_age on every such route, and no failed login counted', async () => {
    const account = anAccount();
    const tokens = await signedIn(account);
    clock.advance(MAX_AGE);
    // Exactly REAUTH_MAX_AGE old is still within it.
    await startEnrolment(tokens).expect(200);
    clock.advance(1);

    expectReauthenticationRequired(await startEnrolment(tokens));
    expectReauthenticationRequired(await changeEmail(tokens, account));
    expectReauthenticationRequired(await deleteAccount(tokens));
    expectReauthenticationRequired(
      await setPassword(tokens, { new_password: 'A-first-password-4711' }),
    );
    // A password does not help an account that has none.
    expectReauthenticationRequired(
      await deleteAccount(tokens, { current_password: 'anything at all' }),
    );
    await me(tokens).expect(200);

    // Signing in again opens a new window; the refusals above (more than LOGIN_MAX_FAILURES)
    // counted nothing, and the old session's window stays closed.
    const again = await signedIn(account);
    await startEnrolment(again).expect(200);
    expectReauthenticationRequired(await startEnrolment(tokens));
  });

  it('a refresh does not renew the window: auth_time is copied unchanged', async () => {
    const account = anAccount();
    const tokens = await signedIn(account);
    const first = decodeJwt(tokens.access_token).payload;
    expect(first).toMatchObject({ amr: ['fed'], idp: 'acme', auth_time: expect.any(Number) });

    clock.advance(200);
    const refreshed = await app
      .http()
      .post('/refresh')
      .send({ refresh_token: tokens.refresh_token })
      .expect(200);
    const renewed = refreshed.body as Tokens;
    const second = decodeJwt(renewed.access_token).payload;
    expect(second.auth_time).toBe(first.auth_time);
    expect(second.iat).toBe((first.iat as number) + 200);
    await startEnrolment(renewed).expect(200);

    clock.advance(101);
    expectReauthenticationRequired(await startEnrolment(renewed));
    const again = await app
      .http()
      .post('/refresh')
      .send({ refresh_token: renewed.refresh_token })
      .expect(200);
    expect(decodeJwt((again.body as Tokens).access_token).payload.auth_time).toBe(first.auth_time);
    expectReauthenticationRequired(await startEnrolment(again.body as Tokens));
  });

  it('with two-factor login on, still asks for the code (and a stale sign-in is refused first)', async () => {
    const account = anAccount();
    const tokens = await signedIn(account);
    const { body } = await startEnrolment(tokens).expect(200);
    const secret = base32Decode(body.secret as string);
    const confirmed = await withToken(app.http().post('/me/mfa/totp/confirm'), tokens)
      .send({ code: totpCode(secret, clock.now() / 1000) })
      .expect(200);
    const codes = confirmed.body.recovery_codes as string[];

    const missing = await changeEmail(tokens, account);
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual([
      expect.objectContaining({ field: 'code', pointer: '#/code' }),
    ]);
    const wrong = await changeEmail(tokens, account, { code: '000000' });
    expect(wrong.status).toBe(403);
    expect(wrong.body.type).toBe('/problems/wrong-mfa-code');
    await changeEmail(tokens, account, { code: codes[0] }).expect(202);
    await withToken(app.http().post('/me/mfa/recovery-codes'), tokens)
      .send({ code: 'AAAA-BBBB-CCCC-DDDD' })
      .expect(403);

    clock.advance(MAX_AGE + 1);
    // Stale: refused before any code is checked, so a right code is not spent.
    for (let i = 0; i < 4; i++) {
      expectReauthenticationRequired(
        await withToken(app.http().post('/me/mfa/recovery-codes'), tokens).send({
          code: codes[1],
        }),
      );
    }

    // A new sign-in passes the second factor at /login/mfa; it is recent, and the code is
    // still asked. Two wrong codes counted (3 allowed), the stale refusals none.
    const asked = await exchange(account);
    expect(asked.status).toBe(403);
    expect(asked.body.error).toBe('mfa_required');
    clock.advance(30);
    const done = await app
      .http()
      .post('/login/mfa')
      .send({
        mfa_token: asked.body.mfa_token as string,
        code: totpCode(secret, clock.now() / 1000),
      })
      .expect(200);
    const fresh = done.body as Tokens;
    expect(decodeJwt(fresh.access_token).payload.amr).toEqual(['fed', 'otp']);
    const noCode = await withToken(app.http().delete('/me/mfa/totp'), fresh).send({});
    expect(noCode.status).toBe(422);
    await withToken(app.http().delete('/me/mfa/totp'), fresh).send({ code: codes[1] }).expect(204);
  });

  it('POST /me/password sets a first password from a recent sign-in; the account then needs it', async () => {
    const account = anAccount();
    const tokens = await signedIn(account);
    const other = await signedIn(account);
    const before = await me(tokens).expect(200);
    expect(before.body.sign_in_methods).toEqual(['oidc:acme']);

    const weak = await setPassword(tokens, { new_password: 'short' });
    expect(weak.status).toBe(422);
    expect(weak.body.errors).toEqual([expect.objectContaining({ field: 'new_password' })]);
    const password = 'A-first-password-4711';
    await setPassword(tokens, { new_password: password }).expect(204);

    const after = await me(tokens).expect(200);
    expect(after.body.sign_in_methods).toEqual(['password', 'oidc:acme']);
    await sink.waitFor(account.email!, /Your password was changed/);
    // As after a change, every other session ends.
    await me(other).expect(401);
    const username = after.body.username as string;
    await app.http().post('/login').send({ username, password }).expect(200);

    // A password account: a recent sign-in never stands in for its password.
    const missing = await deleteAccount(tokens);
    expect(missing.status).toBe(422);
    expect(missing.body.errors).toEqual(MISSING_PASSWORD);
    const wrong = await deleteAccount(tokens, { current_password: 'not the password' });
    expect(wrong.body.type).toBe('/problems/wrong-password');
    await deleteAccount(tokens, { current_password: password }).expect(204);
  });

  it('an account with a password still gets 422 without current_password, right after signing in', async () => {
    const user = await signUp(app, aUser());
    const tokens = await logInForTokens(app, user);
    const sends: ReadonlyArray<() => Test> = [
      () => setPassword(tokens, { new_password: `${user.password}-new` }),
      () => changeEmail(tokens, { sub: 'x', email: user.email }),
      () => deleteAccount(tokens),
      () => startEnrolment(tokens),
      () => withToken(app.http().delete('/me/mfa/totp'), tokens).send({ code: '123456' }),
      () => withToken(app.http().post('/me/mfa/recovery-codes'), tokens).send({ code: '123456' }),
    ];
    for (const send of sends) {
      const response = await send();
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({
        type: '/problems/validation-error',
        detail: 'current_password must not be empty.',
        errors: MISSING_PASSWORD,
      });
    }
    // An empty one is refused by the same rule, as before.
    const empty = await deleteAccount(tokens, { current_password: '' });
    expect(empty.status).toBe(422);
    expect(empty.body.errors).toEqual(MISSING_PASSWORD);
    await me(tokens).expect(200);
  });
});
