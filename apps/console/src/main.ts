import './tracing';
import { loadConfigOrExit } from '@shopwire/config';
import { listen } from '@shopwire/http';
import { createLogger } from '@shopwire/observability';
import { createConsoleApp } from './console.app';
import { consoleConfigSchema, consoleProductionRules } from './config';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit(consoleConfigSchema, 'console', {
    production: consoleProductionRules,
  });
  const logger = createLogger('console', config.LOG_LEVEL);
  const app = await createConsoleApp(config, logger);
  await listen(app, config.PORT);
  logger.info({ port: config.PORT }, 'console listening');
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'console', msg: 'failed to start', err: String(error) })}\n`,
  );
  process.exit(1);
});
