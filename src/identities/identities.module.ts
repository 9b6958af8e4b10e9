import { Module } from '@nestjs/common';
import { Database } from '../database/database.js';
import { FederatedFlowsRetentionJob } from './federated-flows-retention.job.js';
import { FederatedFlowsRepository } from './federated-flows.repository.js';
import { IdentitiesRepository } from './identities.repository.js';
import { InMemoryFederatedFlowsRepository } from './repositories/in-memory.federated-flows.repository.js';
import { InMemoryIdentitiesRepository } from './repositories/in-memory.identities.repository.js';
import { SqlFederatedFlowsRepository } from './repositories/sql.federated-flows.repository.js';
import { SqlIdentitiesRepository } from './repositories/sql.identities.repository.js';

/**
 * Sign-in through OpenID Connect providers, its storage: the providers' identities linked to
 * accounts, the flows between our redirect to a provider and its redirect back, and the codes
 * handed to apps, with the job purging expired ones. The strategies and routes are above it, in
 * auth/ and account/.
 */
@Module({
  providers: [
    FederatedFlowsRetentionJob,
    {
      provide: IdentitiesRepository,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): IdentitiesRepository =>
        db ? new SqlIdentitiesRepository(db) : new InMemoryIdentitiesRepository(),
    },
    {
      provide: FederatedFlowsRepository,
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): FederatedFlowsRepository =>
        db ? new SqlFederatedFlowsRepository(db) : new InMemoryFederatedFlowsRepository(),
    },
  ],
  exports: [IdentitiesRepository, FederatedFlowsRepository],
})
export class IdentitiesModule {}
