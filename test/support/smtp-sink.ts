import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { TcpProxy } from './tcp-proxy.js';

/** A mail as the test's SMTP server received it, parsed. */
export interface ReceivedMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
  /** The token of the link in the mail (after `#token=`), when it has one. */
  readonly token: string | undefined;
  readonly link: string | undefined;
  readonly raw: ParsedMail;
}

const LINK = /(https?:\/\/[^\s"<>]+#token=([\w-]+)[^\s"<>]*)/;

/**
 * A real SMTP server in the test process (smtp-server, on a loopback port), parsing what it
 * receives with mailparser; behind a TCP proxy, so a test can take it away and bring it back.
 * The service talks to it exactly as to a production relay, minus TLS.
 */
export class SmtpSink {
  readonly received: ReceivedMail[] = [];
  private readonly waiters = new Set<() => void>();
  private server: SMTPServer | undefined;
  private proxy: TcpProxy | undefined;

  /** smtp:// URL the service should use (the proxy's port, stable across stop/start). */
  get url(): string {
    return `smtp://127.0.0.1:${this.proxy?.port ?? 0}`;
  }

  async start(): Promise<this> {
    const server = new SMTPServer({
      authOptional: true,
      // No certificate here: without STARTTLS on offer, nodemailer stays on plain SMTP.
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, _session, callback) => {
        simpleParser(stream)
          .then((parsed) => {
            this.keep(parsed);
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.server.address();
    if (!address || typeof address === 'string') throw new Error('no SMTP port');
    this.server = server;
    this.proxy = await new TcpProxy('127.0.0.1', address.port).start();
    return this;
  }

  /** The server goes away: connections refused, open ones cut. */
  async goAway(): Promise<void> {
    await this.proxy?.stop();
  }

  /** …and comes back on the same port. */
  async comeBack(): Promise<void> {
    await this.proxy?.start();
  }

  async close(): Promise<void> {
    await this.proxy?.stop();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** Mails to `address` so far. */
  to(address: string): ReceivedMail[] {
    return this.received.filter((mail) => mail.to.toLowerCase() === address.toLowerCase());
  }

  /** Waits for the `count`-th mail to `address` matching `subject` (a mail already here counts). */
  async waitFor(
    address: string,
    subject: RegExp = /./,
    { count = 1, timeoutMs = 10_000 } = {},
  ): Promise<ReceivedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = this.to(address).filter((mail) => subject.test(mail.subject));
      if (matching.length >= count) return matching[count - 1]!;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `no mail ${String(subject)} to ${address} within ${timeoutMs} ms; got: ${this.received.map((m) => `${m.to}: ${m.subject}`).join('; ') || 'nothing'}`,
        );
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 200));
        this.waiters.add(done);
      });
    }
  }

  private keep(parsed: ParsedMail): void {
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    const text = parsed.text ?? '';
    const match = LINK.exec(text);
    this.received.push({
      to: to?.value[0]?.address ?? '',
      subject: parsed.subject ?? '',
      text,
      html: typeof parsed.html === 'string' ? parsed.html : '',
      messageId: parsed.messageId ?? '',
      token: match?.[2],
      link: match?.[1],
      raw: parsed,
    });
    for (const wake of [...this.waiters]) wake();
  }
}
