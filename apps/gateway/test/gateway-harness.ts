import { shopifyWebhookHmac } from '@shopwire/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@shopwire/config';
import { createLogger } from '@shopwire/observability';
import { randomUUID } from 'node:crypto';
import { gatewayConfigSchema, type GatewayConfig } from '../src/config';
import { createGatewayApp } from '../src/gateway.app';

export const SECRET = 'test-secret-current';
export const OLD_SECRET = 'test-secret-previous';
export const SHOP = 'acme-test.myshopify.com';

export interface RunningGateway {
  app: NestFastifyApplication;
  url: string;
  config: GatewayConfig;
  close(): Promise<void>;
}

/** The real gateway, in this process, on a free port, against the real broker. */
export async function startGateway(env: Record<string, string> = {}): Promise<RunningGateway> {
  const config = loadConfig(gatewayConfigSchema, {
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    SHOPIFY_WEBHOOK_SECRETS: `${SECRET},${OLD_SECRET}`,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const app = await createGatewayApp(config, createLogger('gateway-test', 'silent'));
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, url: `http://127.0.0.1:${address.port}`, config, close: () => app.close() };
}

export function orderBody(orderId: string, updatedAt = '2026-11-27T10:00:00Z'): Buffer {
  // Written by hand, as Shopify writes it: ids as bare numbers above 2^53.
  return Buffer.from(
    `{"id":${orderId},"admin_graphql_api_id":"gid://shopify/Order/${orderId}","name":"#1001",` +
      `"email":"jon@example.com","updated_at":"${updatedAt}","total_price":"199.65",` +
      `"line_items":[{"id":866550311766439020,"variant_id":808950810,"quantity":1,"price":"199.65"}]}`,
  );
}

export interface Delivery {
  body: Buffer;
  headers: Record<string, string>;
  webhookId: string;
}

export function signedDelivery(
  body: Buffer,
  options: {
    topic?: string;
    secret?: string;
    webhookId?: string;
    prefix?: 'x-shopify-' | 'shopify-';
  } = {},
): Delivery {
  const prefix = options.prefix ?? 'x-shopify-';
  const webhookId = options.webhookId ?? randomUUID();
  return {
    body,
    webhookId,
    headers: {
      'content-type': 'application/json',
      [`${prefix}topic`]: options.topic ?? 'orders/create',
      [`${prefix}hmac-sha256`]: shopifyWebhookHmac(options.secret ?? SECRET, body),
      [`${prefix}shop-domain`]: SHOP,
      [`${prefix}webhook-id`]: webhookId,
      [`${prefix}event-id`]: randomUUID(),
      [`${prefix}api-version`]: '2026-10',
      [`${prefix}triggered-at`]: '2026-11-27T10:00:00.000Z',
    },
  };
}

export async function post(
  url: string,
  delivery: Pick<Delivery, 'body' | 'headers'>,
): Promise<Response> {
  return fetch(`${url}/webhooks/shopify`, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  });
}
