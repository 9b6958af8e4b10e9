import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createFastifyAdapter } from '../../src/app.setup.js';
import { AppConfig } from '../../src/config/app-config.js';

export interface TestApp {
  readonly app: NestFastifyApplication;
  readonly config: AppConfig;
  readonly dataDir: string;
  /** supertest bound to the app's HTTP server. */
  http(): ReturnType<typeof request>;
  /** Stops the app; the data directory stays unless `removeData` is set. */
  close(options?: { removeData?: boolean }): Promise<void>;
}

export const TEST_ENV: Readonly<Record<string, string>> = {
  NODE_ENV: 'test',
  BCRYPT_COST: '4',
  LOG_LEVEL: 'silent',
};

/** Boots the real app (Fastify adapter, global pipe, filter, guard, helmet, Swagger) in-process. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dataDir = env.DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'auth-test-')));
  const config = AppConfig.fromEnv({ ...TEST_ENV, DATA_DIR: dataDir, ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.register(config)],
  }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(), {
    logger: false,
  });
  await configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    dataDir,
    http: () => request(app.getHttpServer()),
    close: async ({ removeData = false } = {}) => {
      await app.close();
      if (removeData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
