import 'reflect-metadata';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import { createFastifyAdapter } from '../app.setup.js';
import { AppConfig } from '../config/app-config.js';
import { createRootLogger } from '../logging/logger.factory.js';
import { buildOpenApiDocument } from '../common/swagger/swagger.setup.js';

/**
 * `npm run openapi`: writes the OpenAPI document the code produces to openapi.json, so API changes
 * show up in review (CI fails when the committed file differs). The one tool on the whole HTTP
 * application, since Swagger reads the document off its controllers: built without listening or
 * init (so no job starts), on a throw-away in-memory store: the document does not depend on
 * configuration.
 */
async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'openapi-'));
  const config = AppConfig.fromEnv({
    DATABASE_URL: 'memory:',
    DATA_DIR: dataDir,
    HASH_WORKERS: '1',
    LOG_LEVEL: 'silent',
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    createFastifyAdapter(config, createRootLogger(config)),
    { logger: false, abortOnError: false },
  );
  try {
    const document = buildOpenApiDocument(app);
    await writeFile('openapi.json', `${JSON.stringify(document, null, 2)}\n`);
    console.log('Wrote openapi.json');
  } finally {
    await app.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
