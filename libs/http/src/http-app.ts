import type { INestApplication, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { NestPinoLogger } from '@shopwire/observability';
import type { Registry } from 'prom-client';
import { recordRoutes } from './access/route-inventory';
import {
  type ApiDocumentInfo,
  buildOpenApiDocument,
  exportOpenApiDocument,
  OPENAPI_OUT_ENV,
} from './contracts/openapi-document';
import { ZodValidationPipe } from './contracts/validation';
import { instrumentHttp } from './http-metrics';
import { METRICS_REGISTRY } from './metrics.controller';
import { bindRequestId, requestLogOptions } from './request-log';

export interface HttpAppOptions extends ApiDocumentInfo {
  logger: LoggerService;
  /** Largest request body accepted; larger ones get 413 before they are read in full. */
  bodyLimitBytes?: number;
  /** Called with the Fastify adapter before Nest initialises, e.g. to add content parsers. */
  configureFastify?: (adapter: FastifyAdapter) => void;
  /** false leaves body parsing to `configureFastify` (the gateway keeps raw bytes). */
  bodyParser?: boolean;
}

/**
 * Every service's HTTP surface: Nest on Fastify, JSON logs with one access line per request
 * (`./request-log`, when `logger` is a `NestPinoLogger`), OpenAPI at `/docs`, and shutdown
 * hooks so SIGTERM runs each module's `onModuleDestroy`/`beforeApplicationShutdown` (stop
 * consuming, flush, close) before the process exits.
 */
export async function createHttpApp(
  module: unknown,
  options: HttpAppOptions,
): Promise<NestFastifyApplication> {
  const exportTo = process.env[OPENAPI_OUT_ENV];
  if (exportTo) await exportOpenApiDocument(module, options, exportTo);
  const adapter = new FastifyAdapter({
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // Shopify gives up after 5 s; a slow client must not hold a connection much longer.
    requestTimeout: 10_000,
    return503OnClosing: true,
    ...(options.logger instanceof NestPinoLogger ? requestLogOptions(options.logger.logger) : {}),
  });
  bindRequestId(adapter.getInstance());
  drainKeepAliveOnClose(adapter);
  recordRoutes(adapter.getInstance());
  options.configureFastify?.(adapter);
  const app = await NestFactory.create<NestFastifyApplication>(module as never, adapter, {
    logger: options.logger,
    bufferLogs: false,
    bodyParser: options.bodyParser ?? true,
  });
  // useProcessExit: exit through process.exit after the hooks, so pino flushes its last lines
  // (a re-sent SIGTERM would drop them).
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  // Every service that serves /metrics gets HTTP request metrics on the same registry.
  const registry = metricsRegistryOf(app);
  if (registry) instrumentHttp(adapter.getInstance(), registry);
  // Request DTOs made with createZodDto are validated by their zod schema, which is also their
  // OpenAPI schema (`./contracts`).
  app.useGlobalPipes(new ZodValidationPipe());
  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, options));
  return app;
}

function metricsRegistryOf(app: INestApplication): Registry | null {
  try {
    return app.get<Registry>(METRICS_REGISTRY, { strict: false });
  } catch {
    return null; // an app without /metrics (none today, but a lib must not assume)
  }
}

/**
 * On close, Node stops accepting and closes the keep-alive connections that are idle at that
 * moment — but a connection that is mid-request then stays open for the whole keep-alive timeout
 * (72 s in Fastify) once its response is sent, so a SIGTERM would outlast Kubernetes' grace
 * period. While closing, idle connections are closed as soon as they become idle; requests that
 * still arrive get Fastify's 503 with `Connection: close`.
 */
function drainKeepAliveOnClose(adapter: FastifyAdapter): void {
  const fastify = adapter.getInstance();
  fastify.addHook('preClose', (done) => {
    const server = fastify.server;
    const timer = setInterval(() => server.closeIdleConnections(), 50);
    timer.unref();
    server.once('close', () => clearInterval(timer));
    done();
  });
}

export async function listen(app: INestApplication, port: number, host = '0.0.0.0'): Promise<void> {
  await app.listen(port, host);
}
