import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { Database } from '../database/database.js';
import { MetricsModule } from '../metrics/metrics.module.js';
import { UsersModule } from '../users/users.module.js';
import { FileMailTransport } from './delivery/file.mail-transport.js';
import { MailSenderJob } from './delivery/mail-sender.job.js';
import { MailTransport, type OutgoingMail } from './delivery/mail-transport.js';
import { SmtpMailTransport } from './delivery/smtp.mail-transport.js';
import { MailQueueService } from './mail-queue.service.js';
import { MailOutboxRepository } from './outbox/mail-outbox.repository.js';
import { InMemoryMailOutboxRepository } from './outbox/repositories/in-memory.mail-outbox.repository.js';
import { SqlMailOutboxRepository } from './outbox/repositories/sql.mail-outbox.repository.js';
import { MailTemplates } from './templates/mail-templates.js';

/** Production without SMTP_URL: the sender never starts, so nothing reaches this. */
class NoMailTransport extends MailTransport {
  send(_mail: OutgoingMail): Promise<void> {
    return Promise.reject(new Error('mail is not configured'));
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Mail: the outbox, its background sender and the transport; MailQueueService is the way in. */
@Module({
  imports: [UsersModule, MetricsModule],
  providers: [
    MailQueueService,
    MailSenderJob,
    { provide: MailTemplates, useFactory: () => MailTemplates.load() },
    {
      provide: MailOutboxRepository,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): MailOutboxRepository =>
        db ? new SqlMailOutboxRepository(db) : new InMemoryMailOutboxRepository(),
    },
    {
      provide: MailTransport,
      inject: [AppConfig],
      useFactory: ({ mail, dataDir }: AppConfig): MailTransport => {
        if (mail.delivery === 'smtp' && mail.smtpUrl) return new SmtpMailTransport(mail.smtpUrl);
        if (mail.delivery === 'files') return new FileMailTransport(join(dataDir, 'mail'));
        return new NoMailTransport();
      },
    },
  ],
  exports: [MailQueueService],
})
export class MailModule {}
