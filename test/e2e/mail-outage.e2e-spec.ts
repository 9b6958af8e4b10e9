import { afterEach, describe, expect, it } from '@jest/globals';
import { MailOutboxRepository } from '../../src/mail/outbox/mail-outbox.repository.js';
import { mailSettled } from '../support/mail-outbox.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { signUp } from '../support/users.factory.js';

const RESET = /Reset your password/;

/** The SMTP server away when mail is asked for: nothing is lost, and the request never notices. */
describe('mail while the SMTP server is away', () => {
  let sink: SmtpSink | undefined;
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close({ removeData: true });
    await sink?.close();
  });

  /** Starts with the SMTP server down; retries come 1 s, 2 s, 4 s… apart. */
  async function startWithSmtpDown(): Promise<{ sink: SmtpSink; app: TestApp }> {
    sink = await new SmtpSink().start();
    await sink.goAway();
    app = await createTestApp({ SMTP_URL: sink.url, MAIL_RETRY_DELAY: '1s' });
    return { sink, app };
  }

  it('answers 202 at once, keeps the mail, and delivers it when the server is back', async () => {
    const { sink, app } = await startWithSmtpDown();
    const user = await signUp(app);
    await app.http().post('/password/forgot').send({ email: user.email }).expect(202);
    await mailSettled(app);
    expect(await app.app.get(MailOutboxRepository).pendingCount()).toBe(2);
    expect(sink.received).toEqual([]);

    await sink.comeBack();
    const mail = await sink.waitFor(user.email, RESET, { timeoutMs: 15_000 });
    await app
      .http()
      .post('/password/reset')
      .send({ token: mail.token, new_password: `${user.password}-after-outage` })
      .expect(204);
  }, 30_000);

  it('loses nothing across a restart in between', async () => {
    const first = await startWithSmtpDown();
    const user = await signUp(first.app);
    await first.app.http().post('/password/forgot').send({ email: user.email }).expect(202);
    await mailSettled(first.app);
    await first.app.close();

    await first.sink.comeBack();
    app = await createTestApp(first.app.env);
    const mail = await first.sink.waitFor(user.email, RESET, { timeoutMs: 15_000 });
    await app
      .http()
      .post('/password/reset')
      .send({ token: mail.token, new_password: `${user.password}-after-restart` })
      .expect(204);
    await app
      .http()
      .post('/login')
      .send({ username: user.username, password: `${user.password}-after-restart` })
      .expect(200);
    expect(first.sink.to(user.email).filter((m) => RESET.test(m.subject))).toHaveLength(1);
  }, 30_000);
});
