import { Module } from '@nestjs/common';
import { Database } from '../database/database.js';
import { InMemoryUsersRepository } from './repositories/in-memory.users.repository.js';
import { SqlUsersRepository } from './repositories/sql.users.repository.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  providers: [
    UsersService,
    {
      provide: UsersRepository,
      // SQL when the DatabaseModule provides a database (DATABASE_URL), memory otherwise.
      inject: [{ token: Database, optional: true }],
      useFactory: (db?: Database): UsersRepository =>
        db ? new SqlUsersRepository(db) : new InMemoryUsersRepository(),
    },
  ],
  exports: [UsersService],
})
export class UsersModule {}
