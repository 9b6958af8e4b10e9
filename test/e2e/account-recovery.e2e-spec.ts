import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FORGOT_PASSWORD_MESSAGE } from '../../src/account-recovery/account-recovery.controller.js';
import { decodeJwt } from '../support/jwt.js';
import { LogLines } from '../support/log-lines.js';
import { age, dueNow, mailSettled } from '../support/mail-outbox.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import {
  aUser,
  bearer,
  logIn,
  logInForTokens,
  signUp,
  type TestUser,
} from '../support/users.factory.js';

const RESET = /Reset your password/;
const VERIFY = /Confirm your email address/;
const CHANGE = /Confirm your new email address/;
const CHANGED = /Your email address was changed/;
const PASSWORD_CHANGED = /Your password was changed/;
const TAKEN = /Someone tried to use your email address/;
const MINUTE = 60_000;

describe('account recovery over real SMTP', () => {
  let sink: SmtpSink;
  let app: TestApp;
  const logs = new LogLines();

  beforeAll(async () => {
    sink = await new SmtpSink().start();
    app = await createTestApp(
      { SMTP_URL: sink.url, MAIL_FROM: 'Auth <no-reply@auth.test>', LOG_LEVEL: 'debug' },
      { logStream: logs },
    );
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await sink.close();
  });

  const forgot = (email: string) => app.http().post('/password/forgot').send({ email });
  const reset = (token: string, newPassword: string) =>
    app.http().post('/password/reset').send({ token, new_password: newPassword });
  const verify = (token: string) => app.http().post('/email/verify').send({ token });
  const login = (username: string, password: string) =>
    app.http().post('/login').send({ username, password });
  const me = async (token: string): Promise<Record<string, unknown>> =>
    (await app.http().get('/me').set('Authorization', bearer(token)).expect(200)).body as Record<
      string,
      unknown
    >;

  const requestChange = (token: string, password: string, newEmail: string) =>
    app
      .http()
      .post('/me/email')
      .set('Authorization', bearer(token))
      .send({ new_email: newEmail, current_password: password });
  /** Moves the account to `newEmail` and confirms it through the mailed link. */
  const changeEmail = async (token: string, password: string, newEmail: string) => {
    await requestChange(token, password, newEmail).expect(202);
    await verify((await sink.waitFor(newEmail, CHANGE)).token!).expect(204);
  };
  /** Follows the reset link mailed after an undo; answers an access token for the new password. */
  const setNewPasswordByMail = async (user: TestUser): Promise<string> => {
    const { token } = await sink.waitFor(user.email, RESET);
    const password = `${user.password}-after-undo`;
    await reset(token!, password).expect(204);
    return logIn(app, { ...user, password });
  };
  describe('password reset', () => {
    it('mails a link whose token sets a new password: old sessions end, the new password logs in, the old one not', async () => {
      const user = await signUp(app);
      const before = await logInForTokens(app, user);
      // Right after signup's verification mail: the limit is per kind of mail, so this goes out.
      const answer = await forgot(user.email).expect(202);
      expect(answer.body).toEqual({ message: FORGOT_PASSWORD_MESSAGE });

      const mail = await sink.waitFor(user.email, RESET);
      expect(mail.token).toMatch(/^[\w-]{43}$/);
      expect(mail.link).toBe(`${app.config.publicUrl}/password/reset#token=${mail.token}`);
      expect(mail.html).toContain(`href="${mail.link}"`);
      expect(mail.text).toContain(user.username);
      expect(mail.raw.from?.value[0]).toMatchObject({
        name: 'Auth',
        address: 'no-reply@auth.test',
      });
      expect(mail.messageId).toMatch(/^<[0-9a-f-]{36}@nest-jwt-auth>$/);
      expect(sink.to(user.email).some((m) => VERIFY.test(m.subject))).toBe(true);

      const newPassword = `${user.password}-reset`;
      await reset(mail.token!, newPassword).expect(204);

      const refused = await app
        .http()
        .get('/protected')
        .set('Authorization', bearer(before.access_token))
        .expect(401);
      expect(refused.body.type).toBe('/problems/token-revoked');
      await app.http().post('/refresh').send({ refresh_token: before.refresh_token }).expect(401);
      await login(user.username, user.password).expect(401);
      await login(user.username, newPassword).expect(200);
      await sink.waitFor(user.email, PASSWORD_CHANGED);
    });

    it('ends the device cookies minted before the reset: the browser gets a new device after it', async () => {
      const user = await signUp(app);
      const deviceOf = (response: { headers: Record<string, unknown> }) => {
        const cookies = ([] as string[]).concat((response.headers['set-cookie'] as string[]) ?? []);
        return cookies.find((line) => line.startsWith('device='))!.split(';')[0]!;
      };
      const before = deviceOf(await login(user.username, user.password).expect(200));
      const kept = deviceOf(
        await app
          .http()
          .post('/login')
          .set('Cookie', before)
          .send({ username: user.username, password: user.password })
          .expect(200),
      );
      // <device>.<generation>.<expiry>.<mac>: while it counts, the browser keeps its device.
      expect(kept.split('.').slice(0, 2)).toEqual(before.split('.').slice(0, 2));

      await forgot(user.email).expect(202);
      const mail = await sink.waitFor(user.email, RESET);
      const newPassword = `${user.password}-reset`;
      await reset(mail.token!, newPassword).expect(204);

      const after = deviceOf(
        await app
          .http()
          .post('/login')
          .set('Cookie', before)
          .send({ username: user.username, password: newPassword })
          .expect(200),
      );
      expect(after.split('.')[0]).not.toBe(before.split('.')[0]);
      expect(Number(after.split('.')[1])).toBe(Number(before.split('.')[1]) + 1);
    });

    it('answers an unknown address exactly as a known one, and mails nobody', async () => {
      const user = await signUp(app);
      const nobody = `nobody-${user.email}`;
      const known = await forgot(user.email).expect(202);
      const unknown = await forgot(nobody).expect(202);
      expect(unknown.body).toEqual(known.body);
      expect(unknown.headers['content-type']).toBe(known.headers['content-type']);
      await sink.waitFor(user.email, RESET);
      await mailSettled(app);
      expect(sink.to(nobody)).toEqual([]);
    });

    it('mails the reset to the address stored on the account, not to the address as typed', async () => {
      const user = await signUp(app);
      const [local, domain] = user.email.split('@') as [string, string];
      const typed = `${local[0]!.toUpperCase()}${local.slice(1)}@${domain.toUpperCase()}`;
      await forgot(typed).expect(202);
      const mail = await sink.waitFor(user.email, RESET);
      expect(mail.to).toBe(user.email);
      expect(mail.raw.headers.get('to')).toMatchObject({ text: user.email });
    });

    it('marks the address verified: following the link proved the mailbox; the signup’s verification link still works', async () => {
      const user = await signUp(app);
      const verification = await sink.waitFor(user.email, VERIFY);
      await forgot(user.email).expect(202);
      const { token } = await sink.waitFor(user.email, RESET);
      const newPassword = `${user.password}-reset`;
      await reset(token!, newPassword).expect(204);
      const after = await logIn(app, { ...user, password: newPassword });
      expect(await me(after)).toMatchObject({ email_verified: true });
      expect(decodeJwt(after).payload.email_verified).toBe(true);
      await verify(verification.token!).expect(204);
    });

    it('takes a form body too, and refuses a malformed address with 422', async () => {
      const user = await signUp(app);
      await app
        .http()
        .post('/password/forgot')
        .type('form')
        .send({ email: user.email })
        .expect(202);
      await sink.waitFor(user.email, RESET);
      const bad = await forgot('not an address').expect(422);
      expect(bad.body.errors[0]).toMatchObject({ field: 'email' });
    });

    it('works once: a used, expired, superseded or unknown token all get the same 400', async () => {
      const user = await signUp(app);
      await forgot(user.email).expect(202);
      const first = await sink.waitFor(user.email, RESET);

      // A minute later, a second request supersedes the first link.
      await age(app, user.email, 2 * MINUTE);
      await forgot(user.email).expect(202);
      const second = await sink.waitFor(user.email, RESET, { count: 2 });
      expect(second.token).not.toBe(first.token);

      const superseded = await reset(first.token!, 'a fine new password 1').expect(400);
      await reset(second.token!, 'a fine new password 2').expect(204);
      const used = await reset(second.token!, 'a fine new password 3').expect(400);
      const unknown = await reset('A'.repeat(43), 'a fine new password 4').expect(400);

      await age(app, user.email, 2 * MINUTE);
      await forgot(user.email).expect(202);
      const third = await sink.waitFor(user.email, RESET, { count: 3 });
      await age(app, user.email, 2 * 60 * MINUTE);
      const expired = await reset(third.token!, 'a fine new password 5').expect(400);

      const bodies = [superseded, used, unknown, expired].map(({ body }) => {
        const { request_id: _id, ...rest } = body as Record<string, unknown>;
        return rest;
      });
      for (const body of bodies) {
        expect(body).toEqual({
          type: '/problems/invalid-token-link',
          title: 'Invalid or expired link',
          status: 400,
          detail: 'This link is invalid or has expired. Ask for a new one.',
        });
      }
      await login(user.username, 'a fine new password 2').expect(200);
    });

    it('answers 422 to a new password that breaks the rules, and leaves the link usable', async () => {
      const user = await signUp(app);
      await forgot(user.email).expect(202);
      const { token } = await sink.waitFor(user.email, RESET);
      const short = await reset(token!, 'short').expect(422);
      expect(short.body.errors[0]).toMatchObject({ field: 'new_password' });
      const common = await reset(token!, 'password123').expect(422);
      expect(common.body.detail).toMatch(/too common/);
      await reset(token!, user.username).expect(422);
      await reset(token!, `${user.password}-ok`).expect(204);
    });

    it('sends one reset mail a minute per address; further requests still answer 202', async () => {
      const user = await signUp(app);
      for (let i = 0; i < 3; i++) await forgot(user.email.toUpperCase()).expect(202);
      await sink.waitFor(user.email, RESET);
      await mailSettled(app);
      expect(sink.to(user.email).filter((m) => RESET.test(m.subject))).toHaveLength(1);
    });

    it('sends at most 10 mails a day to one address', async () => {
      const user = await signUp(app);
      await sink.waitFor(user.email, VERIFY);
      for (let i = 1; i <= 10; i++) {
        await age(app, user.email, 2 * MINUTE);
        await forgot(user.email).expect(202);
        await mailSettled(app);
      }
      // Signup's verification mail and nine resets; the tenth reset is dropped.
      expect(sink.to(user.email)).toHaveLength(10);
      expect(sink.to(user.email).filter((m) => RESET.test(m.subject))).toHaveLength(9);
    });

    it('clears the account’s failed-login count', async () => {
      const user = await signUp(app);
      // LOGIN_MAX_FAILURES (10) wrong guesses lock the account, even for the right password.
      for (let i = 0; i < 10; i++) await login(user.username, 'wrong guess!').expect(401);
      await login(user.username, user.password).expect(429);
      await forgot(user.email).expect(202);
      const { token } = await sink.waitFor(user.email, RESET);
      await reset(token!, `${user.password}-new`).expect(204);
      await login(user.username, `${user.password}-new`).expect(200);
    });
  });

  describe('email verification', () => {
    it('signup mails a link; using it verifies the address, in /me and in new access tokens', async () => {
      const user = await signUp(app);
      const before = await logIn(app, user);
      expect(await me(before)).toMatchObject({ email_verified: false });
      expect(decodeJwt(before).payload.email_verified).toBe(false);

      const mail = await sink.waitFor(user.email, VERIFY);
      expect(mail.link).toBe(`${app.config.publicUrl}/email/verify#token=${mail.token}`);
      await verify(mail.token!).expect(204);
      await verify(mail.token!).expect(400);

      const after = await logIn(app, user);
      expect(await me(after)).toMatchObject({ email_verified: true });
      expect(decodeJwt(after).payload.email_verified).toBe(true);
    });

    it('resends a fresh link on request (one a minute), which supersedes the first', async () => {
      const user = await signUp(app);
      const token = await logIn(app, user);
      const first = await sink.waitFor(user.email, VERIFY);
      const resend = () =>
        app.http().post('/me/email/verification').set('Authorization', bearer(token));
      await age(app, user.email, 2 * MINUTE);
      await resend().expect(202);
      const second = await sink.waitFor(user.email, VERIFY, { count: 2 });
      await resend().expect(202);
      await mailSettled(app);
      expect(sink.to(user.email).filter((m) => VERIFY.test(m.subject))).toHaveLength(2);
      await verify(first.token!).expect(400);
      await verify(second.token!).expect(204);
      await app.http().post('/me/email/verification').expect(401);
    });
  });

  describe('email change', () => {
    it('changes the address only when the new one confirms; the old one can undo it, ending every session', async () => {
      const user = await signUp(app);
      const tokens = await logInForTokens(app, user);
      const newEmail = `new-${user.email}`;
      await app
        .http()
        .post('/me/email')
        .set('Authorization', bearer(tokens.access_token))
        .send({ new_email: newEmail, current_password: user.password })
        .expect(202);
      const confirm = await sink.waitFor(newEmail, CHANGE);
      expect(await me(tokens.access_token)).toMatchObject({ email: user.email });

      await verify(confirm.token!).expect(204);
      expect(await me(tokens.access_token)).toMatchObject({
        email: newEmail,
        email_verified: true,
      });
      const notice = await sink.waitFor(user.email, CHANGED);
      expect(notice.text).toContain(newEmail);
      expect(notice.link).toBe(
        `${app.config.publicUrl}/email/verify#token=${notice.token}&action=revert`,
      );

      // "This was not me": the old address comes back and every session ends.
      await verify(notice.token!).expect(204);
      await app.http().get('/me').set('Authorization', bearer(tokens.access_token)).expect(401);
      await app.http().post('/refresh').send({ refresh_token: tokens.refresh_token }).expect(401);
      // …and whoever made the change may know the password: it must be set anew, by mail.
      await login(user.username, user.password).expect(401);
      const again = await setNewPasswordByMail(user);
      expect(await me(again)).toMatchObject({ email: user.email, email_verified: true });
      await verify(notice.token!).expect(400);
    });

    it('an intruder who knows the password cannot kill the owner’s undo link by changing the address twice', async () => {
      const owner = await signUp(app);
      const ownerSession = await logInForTokens(app, owner);
      const intruder = await logInForTokens(app, owner);
      const [b, c, d] = ['b', 'c', 'd'].map((x) => `${x}-${owner.email}`) as [
        string,
        string,
        string,
      ];

      await changeEmail(intruder.access_token, owner.password, b);
      const undoA = await sink.waitFor(owner.email, CHANGED);
      await changeEmail(intruder.access_token, owner.password, c);
      const undoB = await sink.waitFor(b, CHANGED);
      // A change still pending when the owner acts.
      await requestChange(intruder.access_token, owner.password, d).expect(202);
      const pending = await sink.waitFor(d, CHANGE);

      await verify(undoA.token!).expect(204);
      for (const session of [ownerSession, intruder]) {
        await app.http().get('/me').set('Authorization', bearer(session.access_token)).expect(401);
        await app
          .http()
          .post('/refresh')
          .send({ refresh_token: session.refresh_token })
          .expect(401);
      }
      await verify(pending.token!).expect(400);
      // The intruder's own undo link cannot put their address back.
      await verify(undoB.token!).expect(400);
      await login(owner.username, owner.password).expect(401);
      const back = await setNewPasswordByMail(owner);
      expect(await me(back)).toMatchObject({ email: owner.email, email_verified: true });
    });

    it('never drops the notice to the old address, even when it is still queued after a second change', async () => {
      const owner = await signUp(app);
      const intruder = await logIn(app, owner);
      const [b, c] = ['b', 'c'].map((x) => `${x}-${owner.email}`) as [string, string];
      await requestChange(intruder, owner.password, b).expect(202);
      const confirmB = await sink.waitFor(b, CHANGE);
      // The relay is away when the notice to A is first tried: it waits for its retry.
      await sink.goAway();
      try {
        await verify(confirmB.token!).expect(204);
        await mailSettled(app);
      } finally {
        await sink.comeBack();
      }
      await changeEmail(intruder, owner.password, c);
      await sink.waitFor(b, CHANGED);
      await dueNow(app, owner.email);
      const notice = await sink.waitFor(owner.email, CHANGED, { timeoutMs: 1_000 });
      await verify(notice.token!).expect(204);
    });

    it('sends the notice to the old address even past its daily limit', async () => {
      const owner = await signUp(app);
      const intruder = await logIn(app, owner);
      // Ten mails to A today (signup's and nine resets): the daily limit is reached.
      for (let i = 1; i <= 9; i++) {
        await age(app, owner.email, 2 * MINUTE);
        await forgot(owner.email).expect(202);
        await mailSettled(app);
      }
      expect(sink.to(owner.email)).toHaveLength(10);
      await changeEmail(intruder, owner.password, `b-${owner.email}`);
      await mailSettled(app);
      const notice = await sink.waitFor(owner.email, CHANGED, { timeoutMs: 1_000 });
      await verify(notice.token!).expect(204);
    });

    it('answers 202 for an address already taken, and tells that address’s owner instead', async () => {
      const owner = await signUp(app);
      const user = await signUp(app);
      const token = await logIn(app, user);
      await app
        .http()
        .post('/me/email')
        .set('Authorization', bearer(token))
        .send({ new_email: owner.email.toUpperCase(), current_password: user.password })
        .expect(202);
      const mail = await sink.waitFor(owner.email, TAKEN);
      // Mail about an account goes to the address stored on it, not to the string typed.
      expect(mail.to).toBe(owner.email);
      expect(mail.token).toBeUndefined();
      expect(await me(token)).toMatchObject({ email: user.email });
    });

    it('wants the current password (403), and a different, valid address (422)', async () => {
      const user = await signUp(app);
      const token = await logIn(app, user);
      const change = (body: object) =>
        app.http().post('/me/email').set('Authorization', bearer(token)).send(body);
      const wrong = await change({ new_email: `x-${user.email}`, current_password: 'nope nope' });
      expect(wrong.status).toBe(403);
      expect(wrong.body.type).toBe('/problems/wrong-password');
      await change({ new_email: user.email.toUpperCase(), current_password: user.password }).expect(
        422,
      );
      await change({ new_email: 'nope', current_password: user.password }).expect(422);
    });

    it('a password change cancels a pending address change, not the verification link', async () => {
      const user = await signUp(app);
      const token = await logIn(app, user);
      const verification = await sink.waitFor(user.email, VERIFY);
      const newEmail = `new-${user.email}`;
      await requestChange(token, user.password, newEmail).expect(202);
      const change = await sink.waitFor(newEmail, CHANGE);
      await app
        .http()
        .post('/me/password')
        .set('Authorization', bearer(token))
        .send({ current_password: user.password, new_password: `${user.password}-changed` })
        .expect(204);
      await sink.waitFor(user.email, PASSWORD_CHANGED);
      await verify(change.token!).expect(400);
      // Only an address change makes a verification link pointless.
      await verify(verification.token!).expect(204);
    });
  });

  it('never logs a link, a token or the SMTP conversation', async () => {
    await mailSettled(app);
    const tokens = sink.received.flatMap((mail) => (mail.token ? [mail.token] : []));
    expect(tokens.length).toBeGreaterThan(5);
    for (const token of tokens) expect(logs.text).not.toContain(token);
    expect(logs.text).not.toContain('#token=');
    expect(logs.text).toMatch(/Mail [0-9a-f-]{36} \(password_reset\) sent/);
  });
});

describe('EMAIL_VERIFICATION=required', () => {
  let sink: SmtpSink;
  let app: TestApp;
  beforeAll(async () => {
    sink = await new SmtpSink().start();
    app = await createTestApp({ SMTP_URL: sink.url, EMAIL_VERIFICATION: 'required' });
  });
  afterAll(async () => {
    await app.close({ removeData: true });
    await sink.close();
  });

  it('refuses an unverified login with 403 after the password check, and sends a fresh link', async () => {
    const user = aUser();
    await app.http().post('/signup').send(user).expect(201);
    const first = await sink.waitFor(user.email, VERIFY);

    await app
      .http()
      .post('/login')
      .send({ username: user.username, password: 'wrong one!' })
      .expect(401);
    const refused = await app.http().post('/login').send(user).expect(403);
    expect(refused.body).toMatchObject({
      type: '/problems/email-not-verified',
      status: 403,
      error: 'email_not_verified',
    });
    // A fresh link would be within the minute of signup's: throttled, the first stays good.
    await mailSettled(app);
    expect(sink.to(user.email)).toHaveLength(1);

    await app.http().post('/email/verify').send({ token: first.token }).expect(204);
    await app.http().post('/login').send(user).expect(200);
  });
});

describe('mail not configured', () => {
  it('in production, answers 503 where a mail is the point, and signup still works', async () => {
    const app = await createTestApp({ NODE_ENV: 'production', BCRYPT_COST: '10' });
    try {
      const user = await signUp(app);
      const token = await logIn(app, user);
      const refused = await app
        .http()
        .post('/password/forgot')
        .send({ email: user.email })
        .expect(503);
      expect(refused.body).toMatchObject({
        type: '/problems/mail-not-configured',
        detail: expect.stringMatching(/SMTP_URL/),
      });
      await app
        .http()
        .post('/me/email/verification')
        .set('Authorization', bearer(token))
        .expect(503);
      await app
        .http()
        .post('/me/email')
        .set('Authorization', bearer(token))
        .send({ new_email: `x-${user.email}`, current_password: user.password })
        .expect(503);
    } finally {
      await app.close({ removeData: true });
    }
  });

  it('in development, writes .eml files to DATA_DIR/mail and logs where, not the link', async () => {
    const logs = new LogLines();
    const app = await createTestApp({ LOG_LEVEL: 'info' }, { logStream: logs });
    try {
      const user = await signUp(app);
      await mailSettled(app);
      const directory = join(app.dataDir, 'mail');
      const files = await readdir(directory);
      expect(files).toHaveLength(1);
      const path = join(directory, files[0]!);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      const eml = await readFile(path, 'utf8');
      expect(eml).toMatch(/^To: .*$/m);
      expect(eml).toContain(user.email);
      expect(eml).toContain('#token=');
      expect(logs.text).toContain(path);
      expect(logs.text).not.toContain('#token=');
    } finally {
      await app.close({ removeData: true });
    }
  });
});
