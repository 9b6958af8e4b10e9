// A resource server that accepts the auth service's access tokens (RS256 or ES256).
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { createRemoteJWKSet, jwtVerify } from 'jose';

/**
 * authUrl: the auth service's PUBLIC_URL. issuer, audience: its JWT_ISSUER (PUBLIC_URL when that is
 * set) and JWT_AUDIENCE. introspection: "client_id:client_secret" of INTROSPECTION_CLIENTS, to
 * learn of a logout before the token expires (one request per call: use it where that matters).
 */
export function buildServer({ authUrl, issuer, audience, introspection }) {
  const base = authUrl.endsWith('/') ? authUrl : `${authUrl}/`;
  // Fetched once, cached, refetched when a token names a key it has not seen (key rotation).
  const jwks = createRemoteJWKSet(new URL('.well-known/jwks.json', base));
  const app = Fastify();

  async function authenticate(request) {
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !token) return undefined;
    try {
      // Pinning the algorithms: a token may not pick its own (no HS256 with the public key, no none).
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience,
        algorithms: ['RS256', 'ES256'],
      });
      if (introspection && !(await isActive(token))) return undefined;
      return payload;
    } catch {
      return undefined;
    }
  }

  async function isActive(token) {
    const response = await fetch(new URL('introspect', base), {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(introspection).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
    });
    // Fail closed: an auth service that cannot answer is no proof the token is still good.
    return response.ok && (await response.json()).active === true;
  }

  app.get('/hello', async (request, reply) => {
    const claims = await authenticate(request);
    if (!claims) {
      // RFC 6750 §3.1
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer error="invalid_token"')
        .send({ error: 'invalid_token' });
    }
    return { message: `Hello, ${claims.username}`, sub: claims.sub };
  });
  return app;
}

// Run directly (`node server.mjs`), not imported.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const env = process.env;
  const authUrl = env.AUTH_URL ?? 'http://localhost:3000';
  const app = buildServer({
    authUrl,
    issuer: env.JWT_ISSUER ?? 'nest-jwt-auth',
    audience: env.JWT_AUDIENCE ?? 'nest-jwt-auth',
    introspection: env.INTROSPECTION_CLIENT,
  });
  const address = await app.listen({
    port: Number(env.PORT ?? 4000),
    host: env.HOST ?? '127.0.0.1',
  });
  console.log(`resource server listening on ${address}`);
}
