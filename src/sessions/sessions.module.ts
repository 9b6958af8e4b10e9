import { Module } from '@nestjs/common';
import { Database } from '../database/database.js';
import { ServerSecretsModule } from '../secrets/server-secrets.module.js';
import { UsersModule } from '../users/users.module.js';
import { UsersService } from '../users/users.service.js';
import { InMemorySessionsRepository } from './repositories/in-memory.sessions.repository.js';
import { SqlSessionsRepository } from './repositories/sql.sessions.repository.js';
import { RevocationList } from './revocation-list.js';
import { SessionRetentionJob } from './session-retention.job.js';
import { SessionsRepository } from './sessions.repository.js';
import { SessionsService } from './sessions.service.js';

/** Sessions (refresh-token families), the list of revoked ones every instance keeps, retention. */
@Module({
  imports: [ServerSecretsModule, UsersModule],
  providers: [
    SessionsService,
    RevocationList,
    SessionRetentionJob,
    {
      provide: SessionsRepository,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      // The memory store reads the holder from the users store, as SQL's rotation does in its
      // one statement.
      inject: [UsersService, { token: Database, optional: true }],
      useFactory: (users: UsersService, db?: Database): SessionsRepository =>
        db ? new SqlSessionsRepository(db) : new InMemorySessionsRepository(users),
    },
  ],
  exports: [SessionsService, RevocationList],
})
export class SessionsModule {}
