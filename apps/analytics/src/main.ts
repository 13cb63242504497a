import './tracing';
import { loadConfigOrExit } from '@shopwire/config';
import { createHttpApp, listen } from '@shopwire/http';
import { createLogger, NestPinoLogger } from '@shopwire/observability';
import { startConsumers } from '@shopwire/service-runtime';
import { AppModule } from './app.module';
import { analyticsConfigSchema } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(analyticsConfigSchema, 'analytics');
  const logger = createLogger('analytics', config.LOG_LEVEL);
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'Shopwire analytics service',
    description:
      'Daily sales and top products per shop from order domain events, each order counted ' +
      'exactly once with its newest state.',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
  });
  await listen(app, config.PORT);
  // The @ConsumeChunks handler as a Nest microservice, once every module is initialised; returns
  // at once (a broker that is down is retried in the background while HTTP answers). On SIGTERM
  // the consumer stops after its in-flight chunk has committed, then the pool closes and pending
  // spans are flushed.
  await startConsumers(app);
  logger.info({ port: config.PORT }, 'analytics service listening');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'analytics', msg: 'failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});
