import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import type { DestinationStream } from 'pino';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test, type TestingModuleBuilder } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createFastifyAdapter } from '../../src/app.setup.js';
import { AppConfig } from '../../src/config/app-config.js';
import { createRootLogger } from '../../src/logging/logger.factory.js';
import { PinoNestLogger } from '../../src/logging/pino-nest.logger.js';
import { createFreshDatabase, dropDatabase } from './postgres.js';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  readonly dataDir: string;
  /** The environment this app was built from: pass it to createTestApp to restart on the same state. */
  readonly env: Readonly<Record<string, string>>;
  /** supertest bound to the app's HTTP server. */
  http(): ReturnType<typeof request>;
  /** Stops the app; its data (directory, PostgreSQL database) is removed only with `removeData`. */
  close(options?: { removeData?: boolean }): Promise<void>;
}

export const TEST_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'test',
  BCRYPT_COST: '4',
  LOG_LEVEL: 'silent',
  // Suites sign up many users from 127.0.0.1; the rate-limit suites set their own small limits.
  RATE_LIMIT_PER_IP: '0',
};

/**
 * The e2e suite runs on SQLite in a temporary DATA_DIR, as users run the service. With
 * DATABASE_URL=postgres://… in the environment it runs on PostgreSQL instead, each app in a
 * fresh database on that server.
 */
async function defaultStateEnv(databaseGiven: boolean): Promise<Record<string, string>> {
  const env: Record<string, string> = { DATA_DIR: await mkdtemp(join(tmpdir(), 'auth-test-')) };
  const server = process.env.DATABASE_URL;
  if (!databaseGiven && server && /^postgres(ql)?:/.test(server)) {
    env.DATABASE_URL = (await createFreshDatabase(server)).url;
  }
  return env;
}

/** Boots the real app (Fastify adapter, global pipe, filter, guard, helmet, Swagger) in-process. */
export async function createTestApp(
  overrides: Record<string, string> = {},
  options: {
    logger?: LoggerService;
    logStream?: DestinationStream;
    /** Replace providers, e.g. to make one fail. */
    override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
  } = {},
): Promise<TestApp> {
  const state = overrides.DATA_DIR ? {} : await defaultStateEnv('DATABASE_URL' in overrides);
  const env = { ...TEST_ENV, ...state, ...overrides };
  const config = AppConfig.fromEnv(env);
  const builder = Test.createTestingModule({ imports: [AppModule.register(config)] });
  const moduleRef = await (options.override?.(builder) ?? builder).compile();
  const rootLogger = createRootLogger(config, options.logStream);
  const app = moduleRef.createNestApplication<NestFastifyApplication>(
    createFastifyAdapter(config, rootLogger),
    {
      logger: options.logger ?? new PinoNestLogger(rootLogger),
    },
  );
  await configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    dataDir: config.dataDir,
    env,
    http: () => request(app.getHttpServer()),
    close: async ({ removeData = false } = {}) => {
      await app.close();
      if (!removeData) return;
      await rm(config.dataDir, { recursive: true, force: true });
      if (config.database.kind === 'postgres') await dropDatabase(config.database.url);
    },
  };
}
