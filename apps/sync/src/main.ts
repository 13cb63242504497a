import './tracing';
import { loadConfigOrExit } from '@shopwire/config';
import { createHttpApp, listen } from '@shopwire/http';
import { createLogger, NestPinoLogger } from '@shopwire/observability';
import { startConsumers } from '@shopwire/service-runtime';
import { AppModule } from './app.module';
import { syncConfigSchema, syncProductionRules } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(syncConfigSchema, 'sync', {
    production: syncProductionRules,
  });
  const logger = createLogger('sync', config.LOG_LEVEL);
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'Shopwire sync service',
    description:
      'Mirrors accepted orders to the ERP exactly once (breaker, retries honouring Retry-After), sync status per order, a minimal catalog mirror with cached reads, and Shopify jobs (`POST /jobs`): `order-backfill` `{shop, since, page_size?}`, `product-import` `{shop, batch_size?}`, `inventory-reconcile` `{shop, page_size?, correct?}`.',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await listen(app, config.PORT);
  // The @ConsumeChunks handler as a Nest microservice, once every module is initialised; returns
  // at once (a broker that is down is retried in the background while HTTP answers). Shutdown
  // hooks (enabled by createHttpApp) run on SIGTERM: the ERP worker finishes its pass, the
  // consumer stops after its in-flight chunk has committed, then the pool closes and pending
  // spans are flushed.
  await startConsumers(app);
  logger.info({ port: config.PORT }, 'sync service listening');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'sync', msg: 'failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});
