import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { AuthService } from '../../src/auth/auth.service.js';
import { Database } from '../../src/database/database.js';
import { IdentitiesRepository } from '../../src/identities/identities.repository.js';
import { MfaService } from '../../src/mfa/mfa.service.js';
import { UsersService } from '../../src/users/users.service.js';
import { idOf } from '../support/admins.js';
import {
  APP_REDIRECT_URI,
  createFederatedApp,
  exchangeCode,
  flowCookie,
  pkce,
  PROVIDER_CLIENT,
  signInThroughProvider,
  type Pkce,
} from '../support/federated-sign-in.js';
import { decodeJwt } from '../support/jwt.js';
import {
  freeLoopbackPort,
  startTestProvider,
  type TestAccount,
  type TestProvider,
} from '../support/oidc-provider.js';
import type { TestApp } from '../support/test-app.js';
import { base32Decode, totpCode } from '../support/totp.js';
import { aUser, bearer, logIn, signUp, type TestUser } from '../support/users.factory.js';

let accounts = 0;
/** A fresh provider account each call, so tests never share identities. */
function anAccount(): TestAccount {
  accounts++;
  const name = `link${accounts}${Math.random().toString(36).slice(2, 8)}`;
  return { sub: `sub-${name}`, email: `${name}@idp.example`, email_verified: true };
}

const INVALID_LINK_CODE = { type: '/problems/invalid-link-code', status: 400 };

describe('Linking a provider from the account: POST /me/identities/{provider} and /complete', () => {
  let provider: TestProvider;
  let app: TestApp;

  beforeAll(async () => {
    provider = await startTestProvider({ accounts: [], clients: [PROVIDER_CLIENT] });
    app = await createFederatedApp(provider);
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await provider.stop();
  });

  /** A signed-up account with a password, its id and an access token. */
  async function member(): Promise<{ user: TestUser; id: string; token: string }> {
    const user = await signUp(app, aUser());
    return { user, id: await idOf(app, user), token: await logIn(app, user) };
  }

  function begin(token: string, body: Record<string, unknown>, providerId = 'acme') {
    return app
      .http()
      .post(`/me/identities/${providerId}`)
      .set('Authorization', bearer(token))
      .send(body);
  }

  function complete(token: string, code: string, verifier: string, providerId = 'acme') {
    return app
      .http()
      .post(`/me/identities/${providerId}/complete`)
      .set('Authorization', bearer(token))
      .send({ code, code_verifier: verifier });
  }

  /**
   * The browser's part: the app starts the link, the browser opens the authorization URL with the
   * flow cookie, signs in at the provider as `account`, and comes back to the app with a code.
   */
  async function linkCode(
    who: { user: TestUser; token: string },
    account: TestAccount,
  ): Promise<{ code: string; pkce: Pkce }> {
    provider.setAccount(account);
    const pair = pkce();
    const started = await begin(who.token, {
      redirect_uri: APP_REDIRECT_URI,
      code_challenge: pair.challenge,
      current_password: who.user.password,
    }).expect(200);
    const cookie = flowCookie(started.headers['set-cookie']);
    if (!cookie) throw new Error('no flow cookie');
    const callback = await provider.signIn(started.body.authorization_url as string, account.sub);
    const back = await app
      .http()
      .get(callback.pathname + callback.search)
      .set('Cookie', `oidc_flow=${cookie}`)
      .expect(302);
    const redirect = new URL(String(back.headers.location));
    const code = redirect.searchParams.get('code');
    if (!code) throw new Error(`no code: ${redirect.href}`);
    return { code, pkce: pair };
  }

  it('links: 201 with the identity, audited and mailed; the provider then signs in to this account', async () => {
    const owner = await member();
    const before = (await app.http().get('/me').set('Authorization', bearer(owner.token)))
      .body as Record<string, unknown>;
    const account = anAccount();
    const { code, pkce: pair } = await linkCode(owner, account);
    // Nothing is linked before the code is redeemed.
    expect(await app.app.get(IdentitiesRepository).listForUser(owner.id)).toEqual([]);

    const linked = await complete(owner.token, code, pair.verifier).expect(201);
    expect(linked.body).toEqual({
      id: expect.any(String),
      provider: 'acme',
      email: account.email,
      created_at: expect.any(String),
      last_used_at: null,
    });
    const listed = await app
      .http()
      .get('/me/identities')
      .set('Authorization', bearer(owner.token))
      .expect(200);
    expect(listed.body).toEqual({ identities: [linked.body] });
    const me = await app.http().get('/me').set('Authorization', bearer(owner.token)).expect(200);
    expect(me.body.sign_in_methods).toEqual(['password', 'oidc:acme']);
    // The provider's address is not the account's, and proves nothing here.
    expect(me.body.email).toBe(before.email);
    expect(me.body.email_verified).toBe(before.email_verified);

    const events = await app.app.get(AuditRepository).listForUser(owner.id, 10);
    expect(events.find((event) => event.type === 'identity_linked')).toMatchObject({
      idp: 'acme',
      userId: owner.id,
    });
    // The owner sees which provider was linked in their own activity.
    const activity = await app
      .http()
      .get('/me/activity')
      .set('Authorization', bearer(owner.token))
      .expect(200);
    expect(
      (activity.body.events as { type: string; provider: string | null }[]).find(
        (event) => event.type === 'identity_linked',
      )?.provider,
    ).toBe('acme');
    const mails = await app.app
      .get(Database)
      .selectFrom('mail_outbox')
      .select('kind')
      .where('user_id', '=', owner.id)
      .execute();
    expect(mails.map((mail) => mail.kind)).toContain('identity_linked');

    // Sign in through the provider: the same account.
    const signIn = await signInThroughProvider(app, provider, account.sub);
    const loginCode = signIn.redirect.searchParams.get('code');
    expect(loginCode).not.toBeNull();
    const tokens = await exchangeCode(app, loginCode ?? '', signIn.pkce.verifier).expect(200);
    expect(decodeJwt(tokens.body.access_token as string).payload.sub).toBe(owner.id);
  });

  it('sets the flow cookie on the answer, as /authorize does, and answers no-store', async () => {
    const owner = await member();
    const started = await begin(owner.token, {
      redirect_uri: APP_REDIRECT_URI,
      code_challenge: pkce().challenge,
      current_password: owner.user.password,
    }).expect(200);
    expect(started.headers['cache-control']).toBe('no-store');
    expect(new URL(started.body.authorization_url as string).origin).toBe(provider.issuer);
    const line = (started.headers['set-cookie'] as unknown as string[]).find((candidate) =>
      candidate.startsWith('oidc_flow='),
    );
    expect(line).toMatch(/; Max-Age=600/);
    expect(line).toMatch(/; Path=\/oauth\/acme\/callback/);
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).not.toMatch(/; Secure/);
  });

  it('refuses an unknown provider or redirect_uri with 400, and a challenge not S256 with 422', async () => {
    const owner = await member();
    const good = {
      redirect_uri: APP_REDIRECT_URI,
      code_challenge: pkce().challenge,
      current_password: owner.user.password,
    };
    const unknown = await begin(owner.token, good, 'nope').expect(400);
    expect(unknown.body).toMatchObject({ type: '/problems/unknown-provider' });
    const elsewhere = await begin(owner.token, {
      ...good,
      redirect_uri: 'https://evil.example/x',
    }).expect(400);
    expect(elsewhere.body).toMatchObject({ type: '/problems/redirect-uri-not-allowed' });
    const prefix = await begin(owner.token, {
      ...good,
      redirect_uri: `${APP_REDIRECT_URI}/more`,
    }).expect(400);
    expect(prefix.body).toMatchObject({ type: '/problems/redirect-uri-not-allowed' });
    const plain = await begin(owner.token, { ...good, code_challenge: 'plain' }).expect(422);
    expect(plain.body.errors).toEqual([
      expect.objectContaining({ field: 'code_challenge', pointer: '#/code_challenge' }),
    ]);
    // A disabled (or never configured) provider's code links nothing: the same 400.
    const completeUnknown = await complete(owner.token, 'x', pkce().verifier, 'nope').expect(400);
    expect(completeUnknown.body).toMatchObject({ type: '/problems/unknown-provider' });
    await app.http().post('/me/identities/acme').send(good).expect(401);
  });

  it('needs the current password (403) and, with two-factor login on, the code', async () => {
    const owner = await member();
    const body = { redirect_uri: APP_REDIRECT_URI, code_challenge: pkce().challenge };
    const wrong = await begin(owner.token, {
      ...body,
      current_password: 'not-the-password',
    }).expect(403);
    expect(wrong.body).toMatchObject({ type: '/problems/wrong-password' });
    // As every prove-it-is-you route answers an account with a password that sends none.
    const missing = await begin(owner.token, body).expect(422);
    expect(missing.body).toMatchObject({ type: '/problems/validation-error' });

    const mfa = app.app.get(MfaService);
    const user = await app.app.get(UsersService).findById(owner.id);
    if (!user) throw new Error('no user');
    const { secret } = await mfa.enrol(user);
    const now = Date.now() / 1000;
    const client = { ip: null, userAgent: null, requestId: null };
    await mfa.confirm(user, 'none', totpCode(base32Decode(secret), now - 30), client);
    // Turning two-factor login on ended the sessions: a session of a login with both factors.
    const { access_token: token } = await app.app.get(AuthService).login(user, client);
    const withPassword = { ...body, current_password: owner.user.password };
    const asked = await begin(token, withPassword).expect(422);
    expect(asked.body.detail).toBe('code is required: two-factor login is on for this account.');
    const badCode = await begin(token, { ...withPassword, code: '000000' });
    expect(badCode.status).toBe(403);
    expect(badCode.body).toMatchObject({ type: '/problems/wrong-mfa-code' });
    await begin(token, { ...withPassword, code: totpCode(base32Decode(secret), now) }).expect(200);
  });

  it('links nothing when another account redeems a leaked code; the code is spent', async () => {
    const owner = await member();
    const thief = await member();
    const { code, pkce: pair } = await linkCode(owner, anAccount());
    const stolen = await complete(thief.token, code, pair.verifier).expect(400);
    expect(stolen.body).toMatchObject(INVALID_LINK_CODE);
    expect(await app.app.get(IdentitiesRepository).listForUser(thief.id)).toEqual([]);
    // Any presentation spends it: the owner starts again.
    await complete(owner.token, code, pair.verifier).expect(400);
    expect(await app.app.get(IdentitiesRepository).listForUser(owner.id)).toEqual([]);
  });

  it('answers a wrong verifier, a reused code and an expired code with the same 400', async () => {
    const owner = await member();
    const wrong = await linkCode(owner, anAccount());
    const refused = await complete(owner.token, wrong.code, pkce().verifier).expect(400);
    expect(refused.body).toMatchObject(INVALID_LINK_CODE);
    // The right verifier no longer helps: the wrong one spent the code.
    await complete(owner.token, wrong.code, wrong.pkce.verifier).expect(400);

    const used = await linkCode(owner, anAccount());
    await complete(owner.token, used.code, used.pkce.verifier).expect(201);
    const again = await complete(owner.token, used.code, used.pkce.verifier).expect(400);
    expect(again.body).toMatchObject(INVALID_LINK_CODE);

    const expired = await linkCode(owner, anAccount());
    await app.app
      .get(Database)
      .updateTable('authorization_codes')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute();
    const late = await complete(owner.token, expired.code, expired.pkce.verifier).expect(400);
    expect(late.body).toMatchObject(INVALID_LINK_CODE);
    expect(await app.app.get(IdentitiesRepository).listForUser(owner.id)).toHaveLength(1);
    await complete(owner.token, 'unknown-code', expired.pkce.verifier).expect(400);
  });

  it('answers a sign-in code presented to /complete with the same 400', async () => {
    const owner = await member();
    const { code, pkce: pair } = await linkCode(owner, anAccount());
    const signIn = await signInThroughProvider(app, provider, (await newSignIn()).sub);
    const loginCode = signIn.redirect.searchParams.get('code') ?? '';
    const wrongPurpose = await complete(owner.token, loginCode, signIn.pkce.verifier).expect(400);
    expect(wrongPurpose.body).toMatchObject(INVALID_LINK_CODE);
    await complete(owner.token, code, pair.verifier).expect(201);
  });

  /** A provider account that has signed in once (and so has its own account here). */
  async function newSignIn(): Promise<TestAccount> {
    const account = anAccount();
    provider.setAccount(account);
    const first = await signInThroughProvider(app, provider, account.sub);
    await exchangeCode(
      app,
      first.redirect.searchParams.get('code') ?? '',
      first.pkce.verifier,
    ).expect(200);
    return account;
  }

  it('answers 409 for an identity already linked, to this account or another, and never moves it', async () => {
    const owner = await member();
    const account = anAccount();
    const first = await linkCode(owner, account);
    const linked = await complete(owner.token, first.code, first.pkce.verifier).expect(201);
    const twice = await linkCode(owner, account);
    const same = await complete(owner.token, twice.code, twice.pkce.verifier).expect(409);
    expect(same.body).toMatchObject({ type: '/problems/identity-already-linked', status: 409 });

    const other = await member();
    const taken = await linkCode(other, account);
    const elsewhere = await complete(other.token, taken.code, taken.pkce.verifier).expect(409);
    expect(elsewhere.body).toMatchObject({
      type: '/problems/identity-linked-elsewhere',
      status: 409,
    });
    const identities = app.app.get(IdentitiesRepository);
    expect((await identities.listForUser(owner.id)).map((identity) => identity.id)).toEqual([
      linked.body.id,
    ]);
    expect(await identities.listForUser(other.id)).toEqual([]);

    // An identity that made its own account by signing in is that account's, too.
    const signedUpAlone = await newSignIn();
    const fromAlone = await linkCode(other, signedUpAlone);
    await complete(other.token, fromAlone.code, fromAlone.pkce.verifier).expect(409);
  });

  it('refuses a link code at POST /login (grant_type=authorization_code)', async () => {
    const owner = await member();
    const { code, pkce: pair } = await linkCode(owner, anAccount());
    const refused = await exchangeCode(app, code, pair.verifier).expect(400);
    expect(refused.body).toMatchObject({
      type: '/problems/invalid-authorization-code',
      error: 'invalid_grant',
    });
  });

  it('answers 503 provider-unavailable when the provider cannot be reached, and sets no cookie', async () => {
    const down = await createFederatedApp(
      { issuer: `http://127.0.0.1:${await freeLoopbackPort()}` },
      {},
      { discovered: false },
    );
    try {
      const user = await signUp(down, aUser());
      const token = await logIn(down, user);
      const refused = await down
        .http()
        .post('/me/identities/acme')
        .set('Authorization', bearer(token))
        .send({
          redirect_uri: APP_REDIRECT_URI,
          code_challenge: pkce().challenge,
          current_password: user.password,
        })
        .expect(503);
      expect(refused.body).toMatchObject({ type: '/problems/provider-unavailable' });
      expect(flowCookie(refused.headers['set-cookie'])).toBeUndefined();
    } finally {
      await down.close({ removeData: true });
    }
  });
});
