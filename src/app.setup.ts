import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import type { FastifyReply, FastifyRequest, FastifyServerOptions, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { MAX_BODY_DEPTH, nestsDeeperThan } from './common/body/json-depth.js';
import { sendProblem } from './common/filters/problem-details.filter.js';
import { ProblemException } from './common/problems/problem.exception.js';
import { securityHeaders } from './common/security/security-headers.js';
import { setupSwagger } from './common/swagger/swagger.setup.js';
import { GracefulShutdown } from './lifecycle/graceful-shutdown.js';
import { MetricsService } from './metrics/metrics.service.js';
import { AppConfig } from './config/app-config.js';
import { requestIdFor } from './logging/request-id.js';
import { RequestLogger } from './logging/request-logger.js';

type TrustProxyFunction = Extract<
  FastifyServerOptions['trustProxy'],
  (...args: never[]) => unknown
>;

/** helmet's headers, computed once: every response carries the same ones. */
const SECURITY_HEADERS = securityHeaders();

/** What every response carries, whether or not it reached a route: our headers and its request id. */
function setResponseHeaders(request: FastifyRequest, reply: FastifyReply): void {
  void reply.headers(SECURITY_HEADERS).header('x-request-id', request.id);
}

/** 64 KB: far above any legitimate auth request, far below what could hurt us. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** The Fastify adapter with our options; main.ts and the e2e tests both build the app with it. */
export function createFastifyAdapter(config: AppConfig, logger: Logger): FastifyAdapter {
  const requestLog = new RequestLogger();
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    // request.ip is the socket's address unless TRUST_PROXY names the proxies in front of us: a
    // forged X-Forwarded-For from anyone else changes nothing (rate limits are keyed by request.ip).
    trustProxy: trustProxyOption(config.trustProxy),
    loggerInstance: logger,
    genReqId: requestIdFor,
    logController: requestLog,
    frameworkErrors: routerErrorHandler(requestLog),
  });
  // Bodies are JSON (or the OAuth2 form); plain text gets a 415 rather than a confusing 422.
  adapter.getInstance().removeContentTypeParser('text/plain');
  return adapter;
}

/**
 * Fastify's router refuses a malformed URL (400) or an over-long path parameter (414) before any
 * hook or Nest filter runs: answered as every other error, with our headers and a request line.
 */
function routerErrorHandler(requestLog: RequestLogger) {
  return (error: Error, request: FastifyRequest, reply: FastifyReply): void => {
    reply.raw.once('finish', () => requestLog.requestCompleted(null, request, reply));
    setResponseHeaders(request, reply);
    sendProblem(error, request, reply);
  };
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

/**
 * Fastify's JSON parser (prototype poisoning refused), then a nesting bound on the result: every
 * route that takes JSON gets it before any pipe or guard walks the body recursively.
 */
function useDepthLimitedJsonParser(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>(
    'application/json',
    { bodyLimit: BODY_LIMIT_BYTES },
    (request, body, done) => {
      void parseJson(request, body.toString('utf8'), (error, parsed) => {
        if (error) return done(error);
        if (nestsDeeperThan(parsed, MAX_BODY_DEPTH)) {
          return done(
            new ProblemException(
              'malformedRequest',
              `The JSON body nests deeper than ${MAX_BODY_DEPTH} levels.`,
            ),
          );
        }
        done(null, parsed);
      });
    },
  );
}

/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
export const CORS_MAX_AGE_SECONDS = 600;

/**
 * CORS_ORIGINS: exact origins get credentialed CORS (the refresh token cookie), `*` any origin
 * without credentials (Bearer tokens only); unset, no CORS headers at all. Scripts may read the
 * headers clients act on: the Bearer challenge, when to retry, and the id to quote in a report.
 */
async function useCors(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  const { corsOrigins } = config.browser;
  if (corsOrigins !== '*' && corsOrigins.length === 0) return;
  await app.register(fastifyCors, {
    origin: corsOrigins === '*' ? '*' : [...corsOrigins],
    credentials: corsOrigins !== '*',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    exposedHeaders: ['WWW-Authenticate', 'Retry-After', 'X-Request-Id'],
    maxAge: CORS_MAX_AGE_SECONDS,
  });
}

/**
 * Everything applied to the app after creation: cookie parsing, CORS, security and request-id
 * headers, API docs.
 */
export async function configureApp(app: NestFastifyApplication): Promise<void> {
  // Parses Cookie and adds reply.setCookie: /login reads and sets the device cookie. No secret
  // here: the device cookie carries its own MAC (DeviceCookies).
  await app.register(fastifyCookie);
  await useCors(app, app.get(AppConfig));
  const shutdown = app.get(GracefulShutdown);
  const metrics = app.get(MetricsService);
  useDepthLimitedJsonParser(app);
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (request, reply, done) => {
      setResponseHeaders(request, reply);
      shutdown.track(request, reply);
      // While draining, keep-alive clients are asked to reconnect (to another instance).
      if (shutdown.draining) void reply.header('connection', 'close');
      done();
    })
    .addHook('onResponse', (request, reply, done) => {
      shutdown.untrack(request);
      metrics.request(
        request.method,
        request.routeOptions.url,
        reply.statusCode,
        reply.elapsedTime / 1000,
      );
      done();
    })
    .addHook('onRequestAbort', (request, done) => {
      shutdown.untrack(request);
      done();
    });
  setupSwagger(app);
}
