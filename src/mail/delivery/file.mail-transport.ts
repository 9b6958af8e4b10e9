import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { createTransport } from 'nodemailer';
import type { OutgoingMail } from './mail-transport.js';
import { MailTransport } from './mail-transport.js';

/**
 * Development without SMTP_URL: each mail becomes an .eml file in DATA_DIR/mail (as Django's file
 * backend or Rails' letter_opener do); open it with any mail program. The log says where, never
 * what: the file holds the link, and links carry secrets. Owner-only, for the same reason.
 */
export class FileMailTransport extends MailTransport {
  private readonly logger = new Logger('Mail');
  private readonly composer = createTransport({ streamTransport: true, buffer: true });

  constructor(private readonly directory: string) {
    super();
  }

  async send(mail: OutgoingMail): Promise<void> {
    const info = await this.composer.sendMail({
      ...mail,
      disableUrlAccess: true,
      disableFileAccess: true,
    });
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
    const path = join(this.directory, name);
    await writeFile(path, info.message, { mode: 0o600 });
    this.logger.log(`Mail written to ${path} (no SMTP_URL set)`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
