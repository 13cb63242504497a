import './tracing';
import { loadConfigOrExit } from '@shopwire/config';
import { createHttpApp, listen } from '@shopwire/http';
import { createLogger, NestPinoLogger } from '@shopwire/observability';
import { startConsumers } from '@shopwire/service-runtime';
import { AppModule } from './app.module';
import { inventoryConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(inventoryConfigSchema, 'inventory');
  const logger = createLogger('inventory', config.LOG_LEVEL);
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'Shopwire inventory service',
    description:
      'Inventory levels per shop, item and location from shopify.inventory.v1, committed ' +
      'quantities from order events, low-stock events through an outbox.',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await listen(app, config.PORT);
  // The @ConsumeChunks handler as a Nest microservice, once every module is initialised; returns
  // at once (a broker that is down is retried in the background while HTTP answers). On SIGTERM
  // the consumer stops after its in-flight chunk has committed, the outbox relay publishes what
  // it holds, then the pool closes and pending spans are flushed.
  await startConsumers(app);
  logger.info({ port: config.PORT }, 'inventory service listening');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'inventory', msg: 'failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});
