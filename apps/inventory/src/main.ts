import './tracing';
import { loadConfigOrExit } from '@shopwire/config';
import { createHttpApp, listen } from '@shopwire/http';
import { createLogger, NestPinoLogger } from '@shopwire/observability';
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
  // On SIGTERM the consumer stops after its in-flight chunk has committed, the outbox relay
  // publishes what it holds, then the pool closes and pending spans are flushed.
  await listen(app, config.PORT);
  logger.info({ port: config.PORT }, 'inventory service listening');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'inventory', msg: 'failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});
