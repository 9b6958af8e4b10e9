import { Module } from '@nestjs/common';
import { Database } from '../database/database.js';
import { ServerSecretsModule } from '../secrets/server-secrets.module.js';
import { InMemorySessionsRepository } from './repositories/in-memory.sessions.repository.js';
import { SqlSessionsRepository } from './repositories/sql.sessions.repository.js';
import { RevocationList } from './revocation-list.js';
import { SessionRetentionJob } from './session-retention.job.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

/** Sessions (refresh-token families), the list of revoked ones every instance keeps, retention. */
@Module({
  imports: [ServerSecretsModule],
  providers: [
    SessionsService,
    RevocationList,
    SessionRetentionJob,
    {
      provide: SessionsRepository,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): SessionsRepository =>
        db ? new SqlSessionsRepository(db) : new InMemorySessionsRepository(),
    },
  ],
  exports: [SessionsService, RevocationList],
})
export class SessionsModule {}
