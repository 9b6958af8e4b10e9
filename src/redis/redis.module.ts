import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { RedisConnection } from './redis.connection.js';

/** Provides the RedisConnection when REDIS_URL is set, and nothing otherwise. */
@Global()
@Module({})
export class RedisModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { redis } = config;
    if (!redis) return { module: RedisModule };
    return {
      module: RedisModule,
      providers: [{ provide: RedisConnection, useFactory: () => RedisConnection.connect(redis) }],
      exports: [RedisConnection],
    };
  }
}
