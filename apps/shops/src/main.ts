import './tracing';
import { loadConfigOrExit } from '@shopwire/config';
import { createHttpApp, listen } from '@shopwire/http';
import { createLogger, NestPinoLogger } from '@shopwire/observability';
import { startConsumers } from '@shopwire/service-runtime';
import { AppModule } from './app.module';
import { shopsConfigSchema, shopsProductionRules } from './config';
import { configureShopsFastify } from './install/auth-rate-limit';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(shopsConfigSchema, 'shops', {
    production: shopsProductionRules,
  });
  const logger = createLogger('shops', config.LOG_LEVEL);
  const app = await createHttpApp(AppModule.register(config, logger), {
    title: 'Shopwire shops service',
    description:
      'Installations of the Shopify app, their encrypted credentials (the only holder of Admin API tokens), webhook subscriptions and the shop lifecycle.',
    logger: new NestPinoLogger(logger),
    bearerAuth: true,
    // The install flow's signed state cookie, and a per-client limit on its public routes.
    configureFastify: (adapter) => configureShopsFastify(adapter, config),
  });
  await listen(app, config.PORT);
  // The lifecycle and install-reconcile handlers as a Nest microservice; returns at once (a
  // broker that is down is retried in the background while the token API answers).
  await startConsumers(app);
  logger.info({ port: config.PORT }, 'shops service listening');
}

bootstrap().catch((error: unknown) => {
  // String(error) of a config or key ring error names variables and key ids, never values.
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'shops', msg: 'failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});
