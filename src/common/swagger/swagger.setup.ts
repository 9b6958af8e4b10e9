import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('JWT authentication service')
    .setDescription(
      'Sign up, log in and call protected routes with a Bearer JWT. Errors are RFC 9457 problem details (`application/problem+json`; the OAuth2 endpoints serve the same body as `application/json` with an RFC 6749 `error` code). OAuth2 clients can configure themselves from `/.well-known/oauth-authorization-server`. Use **Authorize** with your username and password (OAuth2 password flow against `/login`).',
    )
    .setVersion('1.0')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    // Relative: the API is wherever this document is served from (the same origin as Swagger UI).
    .addServer('/')
    .addOAuth2(
      {
        type: 'oauth2',
        flows: { password: { tokenUrl: '/login', refreshUrl: '/login', scopes: {} } },
      },
      'oauth2',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addBasicAuth(
      {
        type: 'http',
        scheme: 'basic',
        description: 'A resource server of INTROSPECTION_CLIENTS (client_id:client_secret).',
      },
      'introspection',
    )
    .build();
  return declarePublicOperations(SwaggerModule.createDocument(app, config));
}

/**
 * An operation without `security` inherits the document's (none here), which tools read as
 * "unspecified": say `security: []` outright on the @Public() routes (Redocly's `security-defined`).
 */
function declarePublicOperations(document: OpenAPIObject): OpenAPIObject {
  for (const path of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const) {
      const operation = path[method];
      if (operation && operation.security === undefined) operation.security = [];
    }
  }
  return document;
}

/** Swagger UI at /docs and the document at /docs-json, served from local assets (no CDN). */
export function setupSwagger(app: INestApplication): void {
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'JWT authentication service',
    swaggerOptions: {
      persistAuthorization: false,
      // The default validator badge would call validator.swagger.io from the page.
      validatorUrl: null,
    },
  });
}
