import type { FastifyServerOptions } from 'fastify';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { securityHeaders } from './common/security/security-headers.js';
import { setupSwagger } from './common/swagger/swagger.setup.js';
import type { AppConfig } from './config/app-config.js';

type TrustProxyFunction = Extract<
  FastifyServerOptions['trustProxy'],
  (...args: never[]) => unknown
>;

/** 64 KB: far above any legitimate auth request, far below what could hurt us. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** The Fastify adapter with our options; main.ts and the e2e tests both build the app with it. */
export function createFastifyAdapter(config: AppConfig): FastifyAdapter {
  // request.ip is the socket's address unless TRUST_PROXY names the proxies in front of us: a
  // forged X-Forwarded-For from anyone else changes nothing (rate limits are keyed by request.ip).
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(config.trustProxy),
  });
  // Bodies are JSON (or the OAuth2 form); plain text gets a 415 rather than a confusing 422.
  adapter.getInstance().removeContentTypeParser('text/plain');
  return adapter;
}

/**
 * Fastify takes addresses as they are; a hop count becomes "trust the first N hops" (Fastify 5.12
 * refuses a bare number, as the peer cannot be validated: only use one when the service is
 * reachable through the proxies alone).
 */
function trustProxyOption(trust: AppConfig['trustProxy']): false | string[] | TrustProxyFunction {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

/** Everything applied to the app after creation: security headers and the API docs. */
export function configureApp(app: NestFastifyApplication): void {
  const headers = securityHeaders();
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_request, reply, done) => {
      void reply.headers(headers);
      done();
    });
  setupSwagger(app);
}
