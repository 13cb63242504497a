import { writeFileSync } from 'node:fs';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { cleanupOpenApiDoc } from 'nestjs-zod';

export interface ApiDocumentInfo {
  title: string;
  description: string;
  /** Adds the bearer-token scheme. */
  bearerAuth?: boolean;
}

/**
 * Set by `npm run openapi` (scripts/openapi.ts): the service writes its OpenAPI document to this
 * file and exits instead of serving.
 */
export const OPENAPI_OUT_ENV = 'SHOPWIRE_OPENAPI_OUT';

/**
 * A service's OpenAPI document: the routes' decorators, and for every DTO made by
 * `createZodDto` the zod schema that also validates it (`cleanupOpenApiDoc` finishes what
 * nestjs-zod put in). The same function serves `/docs` and the exported `openapi/<service>.json`.
 */
export function buildOpenApiDocument(app: INestApplication, info: ApiDocumentInfo): OpenAPIObject {
  const builder = new DocumentBuilder().setTitle(info.title).setDescription(info.description);
  if (info.bearerAuth) builder.addBearerAuth();
  return cleanupOpenApiDoc(SwaggerModule.createDocument(app, builder.build()));
}

/**
 * Writes the module's document to `file` and exits. Nest's preview mode reads the modules,
 * controllers and decorators without running a provider's factory, so nothing connects to
 * Postgres, Kafka or Redis: the export needs no infrastructure, only the config the service
 * would start with (defaults suffice).
 */
export async function exportOpenApiDocument(
  module: unknown,
  info: ApiDocumentInfo,
  file: string,
): Promise<never> {
  const app = await NestFactory.create(module as never, new FastifyAdapter(), {
    preview: true,
    logger: false,
  });
  writeFileSync(file, `${JSON.stringify(buildOpenApiDocument(app, info), null, 2)}\n`);
  process.exit(0);
}
