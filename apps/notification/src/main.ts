import './tracing';
import { loadConfigOrExit } from '@shopwire/config';
import { createHttpApp, listen } from '@shopwire/http';
import { createLogger, NestPinoLogger } from '@shopwire/observability';
import { startConsumers } from '@shopwire/service-runtime';
import { AppModule } from './app.module';
import { notificationConfigSchema, notificationProductionRules } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(notificationConfigSchema, 'notification', {
    production: notificationProductionRules,
  });
  const logger = createLogger('notification', config.LOG_LEVEL);
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'Shopwire notification service',
    description:
      'Order confirmations, cancellations and low-stock alerts, one email per event and template; the notification log.',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await listen(app, config.PORT);
  // The @ConsumeChunks handler as a Nest microservice, once every module is initialised; returns
  // at once (a broker that is down is retried in the background while HTTP answers). Shutdown
  // hooks (enabled by createHttpApp) run on SIGTERM: the sender finishes its pass, the consumer
  // stops after its in-flight chunk has committed, then the pool closes and pending spans are
  // flushed.
  await startConsumers(app);
  logger.info({ port: config.PORT }, 'notification service listening');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'notification', msg: 'failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});
