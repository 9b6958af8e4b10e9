/** A mail ready to leave: the sender has rendered it and given it its stable Message-ID. */
export interface OutgoingMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly messageId: string;
}

/** Where mails go (SMTP, or .eml files in development); the injection token. */
export abstract class MailTransport {
  /** Resolves once the mail is accepted; rejects when it was not (the sender retries). */
  abstract send(mail: OutgoingMail): Promise<void>;
  abstract close(): Promise<void>;
}
