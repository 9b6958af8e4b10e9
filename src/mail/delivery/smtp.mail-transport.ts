import { createTransport } from 'nodemailer';
import type { OutgoingMail } from './mail-transport.js';
import { MailTransport } from './mail-transport.js';

/**
 * Sends over SMTP with nodemailer: `smtps://` is TLS from the start, `smtp://` upgrades with
 * STARTTLS whenever the server offers it. Timeouts stay well inside the sender's claim on a mail,
 * so a hung server cannot make two instances send the same mail.
 */
export class SmtpMailTransport extends MailTransport {
  private readonly transport: ReturnType<typeof createTransport>;

  constructor(smtpUrl: string) {
    super();
    const url = new URL(smtpUrl);
    this.transport = createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      auth: url.username
        ? {
            user: decodeURIComponent(url.username),
            pass: decodeURIComponent(url.password),
          }
        : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      // Never log: the conversation carries the links' tokens (and AUTH, the password).
      logger: false,
      debug: false,
    });
  }

  async send(mail: OutgoingMail): Promise<void> {
    await this.transport.sendMail({ ...mail, disableUrlAccess: true, disableFileAccess: true });
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
