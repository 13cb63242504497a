import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@shopwire/config';
import { createHttpApp } from '@shopwire/http';
import { createLogger, createMetricsRegistry, NestPinoLogger } from '@shopwire/observability';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../../src/app.module';
import { simConfigSchema } from '../../src/config/sim-config.schema';
import { WebhookReceiver } from './webhook-receiver';

const TOKEN = 'integration-token-0123456789';
export const ADMIN_WEBHOOK_SECRET = 'admin-api-bulk-secret';

// Assertions read response JSON freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A shop name no other test or run uses, so state never leaks between them. */
export const uniqueShop = (label: string) =>
  `it-${label}-${process.pid}-${Math.floor(Math.random() * 1e6)}.myshopify.com`;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The whole simulator app in this process on a free port, with a webhook receiver set as the
 * bulk/products webhook target, and small clients for its Admin API and its control API.
 */
export async function startAdminSim(env: Record<string, string> = {}) {
  const receiver = new WebhookReceiver();
  const hook = await receiver.start();
  const config = loadConfig(simConfigSchema, {
    API_TOKENS: `tests:${TOKEN}`,
    SHOPIFY_WEBHOOK_SECRET: 'admin-api-test-secret',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const logger = createLogger('shopify-sim', 'silent');
  const app: NestFastifyApplication = await createHttpApp(
    AppModule.forRoot({
      config,
      logger,
      registry: createMetricsRegistry('shopify-sim'),
      smtpPort: 0,
    }),
    { title: 'sim', description: 'test', logger: new NestPinoLogger(logger), bearerAuth: true },
  );
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;

  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json().catch(() => null)) as Json };
  };

  const graphql = async (
    shop: string,
    query: string,
    variables?: Record<string, unknown>,
    options: { version?: string; token?: string | null } = {},
  ) => {
    const response = await fetch(
      `${base}/shops/${shop}/admin/api/${options.version ?? '2026-10'}/graphql.json`,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token === null
            ? {}
            : { 'x-shopify-access-token': options.token ?? 'shpat_test' }),
        },
        body: JSON.stringify({ query, variables }),
      },
    );
    return { status: response.status, json: (await response.json()) as Json };
  };

  const rest = async (shop: string, path: string) => {
    const response = await fetch(`${base}/shops/${shop}/admin/api/2026-10/${path}`, {
      headers: { 'x-shopify-access-token': 'shpat_test' },
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  /** Sets bulk pacing, keeping the receiver as the webhook target. */
  const bulkSettings = (objectsPerSecond: number) =>
    control('PUT', '/sim/admin/bulk-settings', {
      objectsPerSecond,
      webhookUrl: `${hook}/admin-webhooks`,
      webhookSecret: ADMIN_WEBHOOK_SECRET,
    });
  const settings = await bulkSettings(1_000_000);
  if (settings.status !== 200) throw new Error(`bulk settings refused: ${settings.status}`);

  /** The first webhook matching `predicate`, waiting up to 10 s for it. */
  const webhook = async (predicate: (body: string, topic: string) => boolean) => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = receiver.received.find((r) =>
        predicate(r.body.toString(), String(r.headers['x-shopify-topic'])),
      );
      if (found || Date.now() > deadline) return found;
      await sleep(25);
    }
  };

  return {
    base,
    control,
    graphql,
    rest,
    bulkSettings,
    webhook,
    close: async () => {
      await app.close();
      await receiver.stop();
    },
  };
}

export type AdminSim = Awaited<ReturnType<typeof startAdminSim>>;
