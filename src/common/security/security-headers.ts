import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * helmet's hardening, with a Content-Security-Policy that still lets Swagger UI (served from our
 * own origin) run: its page has one inline <style> block and uses data: images.
 */
const OPTIONS: Readonly<HelmetOptions> = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
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
};

/**
 * The headers helmet sets, computed once at start-up. Every response carries the same ones (no
 * nonces), so running helmet's middleware per request — as @fastify/helmet does, re-parsing the
 * CSP each time (~10% of a request's CPU, profiled) — would only repeat this work.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => {
      headers[name.toLowerCase()] = String(value);
    },
    removeHeader: (name: string) => {
      delete headers[name.toLowerCase()];
    },
  };
  helmet(OPTIONS)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return Object.freeze(headers);
}
