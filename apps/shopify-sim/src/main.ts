// Tracing first, before Nest and its dependencies load.
import './tracing';

import { loadConfigOrExit } from '@shopwire/config';
import { createHttpApp, listen } from '@shopwire/http';
import { createLogger, createMetricsRegistry, NestPinoLogger } from '@shopwire/observability';
import { AppModule } from './app.module';
import { simConfigSchema } from './config/sim-config.schema';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(simConfigSchema, 'shopify-sim');
  const logger = createLogger('shopify-sim', config.LOG_LEVEL);
  const registry = createMetricsRegistry('shopify-sim');
  const app = await createHttpApp(AppModule.forRoot({ config, logger, registry }), {
    title: 'Shopify simulator',
    description:
      'A stand-in for Shopify: signed webhook streams with Shopify-like retries, duplicates, reordering and delays; the Admin API (GraphQL with query cost and throttling, bulk operations, REST) under /shops/<shop>/admin/api/<version>, steered by /sim/admin.',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await listen(app, config.PORT);
  logger.info(
    { port: config.PORT, gatewayUrl: config.GATEWAY_URL, retryTimeScale: config.RETRY_TIME_SCALE },
    'shopify-sim listening',
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'shopify-sim', msg: (error as Error).message })}\n`,
  );
  process.exit(1);
});
