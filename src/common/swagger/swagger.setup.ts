import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('JWT authentication service')
    .setDescription(
      'Sign up, log in and call protected routes with a Bearer JWT. Errors are RFC 9457 problem details (`application/problem+json`). Use **Authorize** with your username and password (OAuth2 password flow against `/login`).',
    )
    .setVersion('1.0')
    .addOAuth2(
      { type: 'oauth2', flows: { password: { tokenUrl: '/login', scopes: {} } } },
      'oauth2',
    )
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .build();
  return SwaggerModule.createDocument(app, config);
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
