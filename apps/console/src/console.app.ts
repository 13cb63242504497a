import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '@shopwire/http';
import { createMetricsRegistry, NestPinoLogger, type Logger } from '@shopwire/observability';
import type { ConsoleConfig } from './config';
import { ConsoleModule } from './console.module';
import { configureConsoleFastify } from './session/console-fastify';

/** Builds the console (main.ts; tests start it from dist as a process). */
export async function createConsoleApp(
  config: ConsoleConfig,
  logger: Logger,
): Promise<NestFastifyApplication> {
  return createHttpApp(ConsoleModule.forRoot(config, createMetricsRegistry('console')), {
    title: 'Shopwire console',
    description: "The operator's web console (HTML pages; no API of its own).",
    logger: new NestPinoLogger(logger),
    bodyLimitBytes: 64 * 1024,
    configureFastify: (adapter) => configureConsoleFastify(adapter, config),
  });
}
