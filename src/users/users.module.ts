import { Module } from '@nestjs/common';
import { InMemoryUsersRepository } from './repositories/in-memory.users.repository.js';
import { UsersRepository } from './users.repository.js';
import { UsersService } from './users.service.js';

@Module({
  providers: [UsersService, { provide: UsersRepository, useClass: InMemoryUsersRepository }],
  exports: [UsersService],
})
export class UsersModule {}
