import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module.js';
import { configureApp, createFastifyAdapter } from './app.setup.js';
import { AppConfig } from './config/app-config.js';
import { GracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { ConfigError } from './config/config.error.js';
import { loadDotEnvFile, processEnv } from './config/dotenv.js';
import { createRootLogger } from './logging/logger.factory.js';
import { PinoNestLogger } from './logging/pino-nest.logger.js';

async function bootstrap(): Promise<void> {
  loadDotEnvFile();
  let config: AppConfig;
  try {
    config = AppConfig.fromEnv(processEnv());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Invalid configuration: ${error.message}`);
    process.exit(1);
  }
  const logger = createRootLogger(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register(config),
    createFastifyAdapter(config, logger),
    // Throw instead of process.abort() on a failed boot, so the reason is printed plainly.
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
  await configureApp(app);
  const shutdown = app.get(GracefulShutdown);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown.begin(signal, () => app.close()));
  }
  await app.listen(config.port, config.host);
  new Logger('Bootstrap').log(`Listening on http://${config.host}:${config.port} (docs at /docs)`);
}

bootstrap().catch((error: unknown) => {
  console.error(`Failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
