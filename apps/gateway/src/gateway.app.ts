import { createHttpApp } from '@shopwire/http';
import {
  createLogger,
  createMetricsRegistry,
  NestPinoLogger,
  type Logger,
} from '@shopwire/observability';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { GatewayConfig } from './config';
import { GatewayModule, UninstalledShopsLifecycle } from './gateway.module';
import { WebhookProducer } from './kafka/webhook-producer';
import { GatewayMetrics } from './webhooks/gateway-metrics';

/**
 * Builds the gateway: used by `main.ts` and by the integration tests, which run it in-process
 * against the real broker.
 */
export async function createGatewayApp(
  config: GatewayConfig,
  logger: Logger = createLogger('gateway', config.LOG_LEVEL),
): Promise<NestFastifyApplication> {
  const registry = createMetricsRegistry('gateway');
  const metrics = new GatewayMetrics(registry);
  const app = await createHttpApp(GatewayModule.forRoot({ config, logger, registry, metrics }), {
    title: 'Shopwire gateway',
    description: 'Receives Shopify webhooks and makes them durable on Kafka before answering.',
    logger: new NestPinoLogger(logger),
    bodyLimitBytes: config.WEBHOOK_MAX_BYTES,
    bodyParser: false,
    configureFastify: (adapter) => {
      const fastify = adapter.getInstance();
      // Keep every body as the exact bytes received: the HMAC is over them, and they go to Kafka
      // unchanged. Any content type is read this way; the intake decides what is valid JSON.
      fastify.removeAllContentTypeParsers();
      fastify.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
        done(null, body);
      });
      fastify.addHook('onError', (_request, _reply, error, done) => {
        if ((error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
          metrics.rejected.inc({ reason: 'too_large' });
        }
        done();
      });
    },
  });
  await app.get(WebhookProducer).start();
  await app.get(UninstalledShopsLifecycle).uninstalled?.start();
  return app;
}
