import './tracing';
import { loadConfigOrExit } from '@shopwire/config';
import { createHttpApp, listen } from '@shopwire/http';
import { createLogger, NestPinoLogger } from '@shopwire/observability';
import { startConsumers } from '@shopwire/service-runtime';
import { AppModule } from './app.module';
import { orderConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(orderConfigSchema, 'order');
  const logger = createLogger('order', config.LOG_LEVEL);
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'Shopwire order service',
    description:
      'Orders as Shopify webhooks describe them, applied exactly once from shopify.orders.v1.',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await listen(app, config.PORT);
  // The @ConsumeChunks handlers as a Nest microservice, once every module is initialised;
  // returns at once (a broker that is down is retried in the background while HTTP answers).
  // On SIGTERM (shutdown hooks, enabled by createHttpApp) the consumer stops after its in-flight
  // chunk has committed, then the pool closes and pending spans are flushed.
  await startConsumers(app);
  logger.info({ port: config.PORT }, 'order service listening');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'order', msg: 'failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});
