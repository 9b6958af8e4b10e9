import helmet from '@fastify/helmet';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { setupSwagger } from './common/swagger/swagger.setup.js';

/** 64 KB: far above any legitimate auth request, far below what could hurt us. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** The Fastify adapter with our options; main.ts and the e2e tests both build the app with it. */
export function createFastifyAdapter(): FastifyAdapter {
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, trustProxy: false });
  // Bodies are JSON (or the OAuth2 form); plain text gets a 415 rather than a confusing 422.
  adapter.getInstance().removeContentTypeParser('text/plain');
  return adapter;
}

/** Everything applied to the app after creation: security headers and the API docs. */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Swagger UI's page carries one inline <style> block.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Would break /docs when the service is reached over plain HTTP by address.
        upgradeInsecureRequests: null,
      },
    },
  });
  setupSwagger(app);
}
