// Tracing first: the tracer provider and propagator must exist before anything else loads.
import { startTracing } from '@shopwire/observability';
startTracing('gateway');

import { loadConfigOrExit } from '@shopwire/config';
import { createLogger } from '@shopwire/observability';
import { gatewayConfigSchema, gatewayProductionRules } from './config';
import { createGatewayApp } from './gateway.app';

async function main(): Promise<void> {
  const config = loadConfigOrExit(gatewayConfigSchema, 'gateway', {
    production: gatewayProductionRules,
  });
  const logger = createLogger('gateway', config.LOG_LEVEL);
  const app = await createGatewayApp(config, logger);
  await app.listen(config.PORT, '0.0.0.0');
  logger.info(
    {
      port: config.PORT,
      secrets: config.SHOPIFY_WEBHOOK_SECRETS.length,
      brokers: config.KAFKA_BROKERS,
    },
    'gateway listening on POST /webhooks/shopify',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${JSON.stringify({ level: 'fatal', service: 'gateway', msg: String(error) })}\n`,
  );
  process.exit(1);
});
