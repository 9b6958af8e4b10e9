import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AuditRepository } from '../../src/audit/audit.repository.js';
import { Database } from '../../src/database/database.js';
import { IdentitiesRepository } from '../../src/identities/identities.repository.js';
import { SessionsService } from '../../src/sessions/sessions.service.js';
import { MfaService } from '../../src/mfa/mfa.service.js';
import type { User } from '../../src/users/user.js';
import { UsersService } from '../../src/users/users.service.js';
import {
  APP_REDIRECT_URI,
  createFederatedApp,
  exchangeCode,
  PROVIDER_CLIENT,
  signInThroughProvider,
  type AppSignIn,
} from '../support/federated-sign-in.js';
import { decodeJwt } from '../support/jwt.js';
import {
  startTestProvider,
  type TestAccount,
  type TestProvider,
} from '../support/oidc-provider.js';
import type { TestApp } from '../support/test-app.js';
import { base32Decode, totpCode } from '../support/totp.js';
import { aUser, bearer, logInForTokens, signUp } from '../support/users.factory.js';

let accounts = 0;
function anAccount(): TestAccount {
  accounts++;
  const name = `ex${accounts}${Math.random().toString(36).slice(2, 8)}`;
  return { sub: `sub-${name}`, email: `${name}@example.com`, email_verified: true };
}

const INVALID_GRANT = {
  type: '/problems/invalid-authorization-code',
  status: 400,
  error: 'invalid_grant',
};

describe('POST /login grant_type=authorization_code: the code of a provider sign-in', () => {
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

  /** A provider sign-in of a fresh account, up to the code on the app's redirect URI. */
  async function signedIn(
    account = anAccount(),
  ): Promise<AppSignIn & { code: string; user: User }> {
    provider.setAccount(account);
    const signIn = await signInThroughProvider(app, provider, account.sub);
    const code = signIn.redirect.searchParams.get('code');
    if (!code) throw new Error(`no code: ${signIn.redirect.href}`);
    const user = await app.app.get(UsersService).findByEmail(account.email ?? '');
    if (!user) throw new Error('no account');
    return { ...signIn, code, user };
  }

  it('exchanges the code with its verifier for the usual token response (JSON and form)', async () => {
    const json = await signedIn();
    const response = await exchangeCode(app, json.code, json.pkce.verifier).expect(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toEqual(
      expect.objectContaining({
        token_type: 'bearer',
        access_token: expect.any(String),
        refresh_token: expect.any(String),
      }),
    );
    const claims = decodeJwt(response.body.access_token as string).payload;
    expect(claims).toEqual(
      expect.objectContaining({
        sub: json.user.id,
        amr: ['fed'],
        idp: 'acme',
        auth_time: expect.any(Number),
      }),
    );
    expect(Math.abs((claims.auth_time as number) - Date.now() / 1000)).toBeLessThan(60);
    await app
      .http()
      .get('/me')
      .set('Authorization', bearer(response.body.access_token as string))
      .expect(200);
    const events = await app.app.get(AuditRepository).listForUser(json.user.id, 10);
    expect(events.find((event) => event.type === 'login_succeeded')).toEqual(
      expect.objectContaining({ method: 'fed', sessionId: claims.sid }),
    );

    const form = await signedIn();
    await app
      .http()
      .post('/login')
      .type('form')
      .send({
        grant_type: 'authorization_code',
        code: form.code,
        code_verifier: form.pkce.verifier,
        redirect_uri: APP_REDIRECT_URI,
      })
      .expect(200);
  });

  it('refuses a code whose identity was unlinked (or the address proven from outside) before the exchange', async () => {
    const signIn = await signedIn();
    const identities = app.app.get(IdentitiesRepository);
    const [identity] = await identities.listForUser(signIn.user.id);
    expect(identity).toBeDefined();
    await identities.unlink(signIn.user.id, identity!.id);

    const refused = await exchangeCode(app, signIn.code, signIn.pkce.verifier).expect(400);
    expect(refused.body).toEqual(expect.objectContaining(INVALID_GRANT));
    expect(await app.app.get(SessionsService).listLive(signIn.user.id)).toEqual([]);
  });

  it('answers 400 invalid_grant to a wrong verifier or another redirect_uri, and the code is spent', async () => {
    const wrongVerifier = await signedIn();
    const refused = await exchangeCode(app, wrongVerifier.code, 'x'.repeat(43)).expect(400);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.body).toEqual(expect.objectContaining(INVALID_GRANT));
    await exchangeCode(app, wrongVerifier.code, wrongVerifier.pkce.verifier).expect(400);

    const otherUri = await signedIn();
    await exchangeCode(
      app,
      otherUri.code,
      otherUri.pkce.verifier,
      'https://app.example/elsewhere',
    ).expect(400);
    await exchangeCode(app, 'not-a-code', otherUri.pkce.verifier).expect(400);
  });

  it('answers a reused code invalid_grant and ends the session the first presentation started', async () => {
    const signIn = await signedIn();
    const first = await exchangeCode(app, signIn.code, signIn.pkce.verifier).expect(200);
    const again = await exchangeCode(app, signIn.code, signIn.pkce.verifier).expect(400);
    expect(again.body).toEqual(expect.objectContaining(INVALID_GRANT));
    await app
      .http()
      .get('/me')
      .set('Authorization', bearer(first.body.access_token as string))
      .expect(401);
    await app
      .http()
      .post('/refresh')
      .send({ refresh_token: first.body.refresh_token as string })
      .expect(401);
  });

  it('answers an expired code invalid_grant', async () => {
    const signIn = await signedIn();
    await app.app
      .get(Database)
      .updateTable('authorization_codes')
      .set({ expires_at: new Date(Date.now() - 1000).toISOString() })
      .execute();
    await exchangeCode(app, signIn.code, signIn.pkce.verifier).expect(400);
  });

  it('answers a code of an account disabled since as /login does', async () => {
    const signIn = await signedIn();
    await app.app.get(UsersService).disable(signIn.user.id, new Date(), null);
    const refused = await exchangeCode(app, signIn.code, signIn.pkce.verifier).expect(401);
    expect(refused.body).toEqual(expect.objectContaining({ error: 'invalid_grant' }));
  });

  it('asks for the second factor when two-factor login is on, and /login/mfa finishes it', async () => {
    const account = anAccount();
    const first = await signedIn(account);
    await exchangeCode(app, first.code, first.pkce.verifier).expect(200);
    const mfa = app.app.get(MfaService);
    const { secret } = await mfa.enrol(first.user);
    const now = Date.now() / 1000;
    const client = { ip: null, userAgent: null, requestId: null };
    await mfa.confirm(first.user, 'none', totpCode(base32Decode(secret), now - 30), client);

    const second = await signedIn(account);
    const asked = await exchangeCode(app, second.code, second.pkce.verifier).expect(403);
    expect(asked.body).toEqual(
      expect.objectContaining({ error: 'mfa_required', mfa_token: expect.any(String) }),
    );
    const done = await app
      .http()
      .post('/login/mfa')
      .send({
        mfa_token: asked.body.mfa_token as string,
        code: totpCode(base32Decode(secret), now),
      })
      .expect(200);
    const claims = decodeJwt(done.body.access_token as string).payload;
    expect(claims).toEqual(
      expect.objectContaining({ sub: first.user.id, amr: ['fed', 'otp'], idp: 'acme' }),
    );
    // A refresh copies the sign-in's time and provider unchanged.
    const refreshed = await app
      .http()
      .post('/refresh')
      .send({ refresh_token: done.body.refresh_token as string })
      .expect(200);
    expect(decodeJwt(refreshed.body.access_token as string).payload).toEqual(
      expect.objectContaining({
        amr: ['fed', 'otp'],
        idp: 'acme',
        auth_time: claims.auth_time,
      }),
    );

    // A replay of the code ends the mfa_token it produced.
    const third = await signedIn(account);
    const pending = await exchangeCode(app, third.code, third.pkce.verifier).expect(403);
    await exchangeCode(app, third.code, third.pkce.verifier).expect(400);
    await app
      .http()
      .post('/login/mfa')
      .send({
        mfa_token: pending.body.mfa_token as string,
        code: totpCode(base32Decode(secret), now + 30),
      })
      .expect(401);
  });

  it('gives password logins an auth_time too, and no idp', async () => {
    const user = await signUp(app, aUser());
    const tokens = await logInForTokens(app, user);
    const claims = decodeJwt(tokens.access_token).payload;
    expect(claims).toEqual(
      expect.objectContaining({ amr: ['pwd'], auth_time: expect.any(Number) }),
    );
    expect(claims.idp).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const refreshed = await app
      .http()
      .post('/refresh')
      .send({ refresh_token: tokens.refresh_token })
      .expect(200);
    expect(decodeJwt(refreshed.body.access_token as string).payload.auth_time).toBe(
      claims.auth_time,
    );
  });
});
