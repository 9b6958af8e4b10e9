import { Module } from '@nestjs/common';
import { Database } from '../database/database.js';
import { AuditRetentionJob } from './audit-retention.job.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';
import { InMemoryAuditRepository } from './repositories/in-memory.audit.repository.js';
import { SqlAuditRepository } from './repositories/sql.audit.repository.js';

@Module({
  providers: [
    AuditService,
    AuditRetentionJob,
    {
      provide: AuditRepository,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): AuditRepository =>
        db ? new SqlAuditRepository(db) : new InMemoryAuditRepository(),
    },
  ],
  exports: [AuditService, AuditRepository],
})
export class AuditModule {}
