import './tracing';
import { loadConfigOrExit } from '@shopwire/config';
import { createHttpApp, listen } from '@shopwire/http';
import { createLogger, NestPinoLogger } from '@shopwire/observability';
import { AppModule } from './app.module';
import { shopsConfigSchema, shopsProductionRules } from './config';
import { registerInstallCookies } from './install/install-state';

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
    // The install flow's state cookie is signed with SHOPS_COOKIE_SECRET.
    configureFastify: (adapter) =>
      registerInstallCookies(adapter.getInstance(), config.SHOPS_COOKIE_SECRET),
  });
  await listen(app, config.PORT);
  logger.info({ port: config.PORT }, 'shops service listening');
}

bootstrap().catch((error: unknown) => {
  // String(error) of a config or key ring error names variables and key ids, never values.
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'shops', msg: 'failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});
