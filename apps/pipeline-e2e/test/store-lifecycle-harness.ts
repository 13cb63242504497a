import { ConsumerGroup, DomainTopic, retryTopicOf, SUBSCRIPTIONS } from '@shopwire/contracts';
import { freePort, freshDatabase, startGroupAtEnd, testKafka } from '@shopwire/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, request as forward, type Server } from 'node:http';
import { Pool } from 'pg';
import { startService, type ServiceProcess } from './service-process';

/**
 * A store's whole life against real processes: the simulator, the gateway, the order service,
 * sync and three shops service replicas behind a round-robin balancer (the Ingress for `/auth`,
 * the in-cluster Service for the token API), on a database of their own, consumer groups starting
 * at their topics' end, and every line every process writes kept for the token search.
 */

export const CLIENT_ID = 'store-lifecycle-client';
/** The app's client secret: signs OAuth HMACs, session tokens and (as on Shopify) webhooks. */
export const APP_SECRET = 'store-lifecycle-app-secret-0123456789abcdef';
export const API_TOKEN = 'store-lifecycle-api-token-0123456789';
export const API_VERSION = '2026-01';

const id = () => randomBytes(4).toString('hex');

export interface Balancer {
  url: string;
  /** Requests forwarded to each replica, in replica order. */
  served: number[];
  close(): Promise<void>;
}

/** Round robin over the replicas, as a Kubernetes Service would spread connections. */
async function balancer(targets: () => string[]): Promise<Balancer> {
  const served: number[] = [];
  let next = 0;
  const server: Server = createServer((req, res) => {
    const all = targets();
    const index = next++ % all.length;
    served[index] = (served[index] ?? 0) + 1;
    const target = new URL(req.url ?? '/', all[index]);
    const upstream = forward(
      target,
      { method: req.method, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export class StoreStack {
  readonly logs = new Map<string, string>();
  readonly processes: ServiceProcess[] = [];
  sim!: ServiceProcess;
  gateway!: ServiceProcess;
  order!: ServiceProcess;
  sync!: ServiceProcess;
  shops: ServiceProcess[] = [];
  shopsLb!: Balancer;
  db!: Pool;
  readonly uninstalledKey = `shopwire:test:${id()}:uninstalled`;

  private constructor(private readonly logLevel: string) {}

  /** Everything up, in dependency order; `env` adds to sync's configuration (its schedule). */
  static async start(syncEnv: Record<string, string>, logLevel = 'info'): Promise<StoreStack> {
    const stack = new StoreStack(logLevel);
    const databaseUrl = await freshDatabase('shopwire_store_lifecycle_it');
    stack.db = new Pool({ connectionString: databaseUrl, max: 2 });
    stack.db.on('error', () => undefined);

    const groups = {
      order: `order-lifecycle-${id()}`,
      sync: `sync-lifecycle-${id()}`,
      shops: `shops-lifecycle-${id()}`,
      subscriptions: `shops-subscriptions-lifecycle-${id()}`,
    };
    const kafka = testKafka('store-lifecycle-e2e');
    await Promise.all([
      startGroupAtEnd(kafka, groups.order, [
        ...SUBSCRIPTIONS[ConsumerGroup.Order],
        retryTopicOf(ConsumerGroup.Order),
      ]),
      startGroupAtEnd(kafka, groups.sync, [
        ...SUBSCRIPTIONS[ConsumerGroup.Sync],
        retryTopicOf(ConsumerGroup.Sync),
      ]),
      startGroupAtEnd(kafka, groups.shops, [
        ...SUBSCRIPTIONS[ConsumerGroup.Shops],
        retryTopicOf(ConsumerGroup.Shops),
      ]),
      startGroupAtEnd(kafka, groups.subscriptions, [DomainTopic.ShopInstallationChanged]),
    ]);

    const [simPort, smtpPort, gatewayPort, orderPort, syncPort] = await Promise.all([
      freePort(),
      freePort(),
      freePort(),
      freePort(),
      freePort(),
    ]);
    const simUrl = `http://127.0.0.1:${simPort}`;
    const gatewayWebhookUrl = `http://127.0.0.1:${gatewayPort}/webhooks/shopify`;
    const common = { API_TOKENS: `e2e:${API_TOKEN}`, OTEL_SDK_DISABLED: 'true' };

    stack.sim = await stack.launch('shopify-sim', simPort, {
      ...common,
      SIM_SMTP_PORT: String(smtpPort),
      GATEWAY_URL: gatewayWebhookUrl,
      SHOPIFY_WEBHOOK_SECRET: APP_SECRET,
      SIM_APP_CLIENT_ID: CLIENT_ID,
      SIM_APP_CLIENT_SECRET: APP_SECRET,
    });
    stack.gateway = await stack.launch('gateway', gatewayPort, {
      ...common,
      SHOPIFY_WEBHOOK_SECRETS: APP_SECRET,
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      UNINSTALLED_SHOPS_KEY: stack.uninstalledKey,
      UNINSTALLED_SHOPS_CACHE_MS: '500',
    });
    stack.order = await stack.launch('order', orderPort, {
      ...common,
      DATABASE_URL: databaseUrl,
      RUN_MIGRATIONS: 'true',
      ORDER_CONSUMER_GROUP: groups.order,
    });

    // The balancer is the shops service's public URL (the OAuth redirect comes back through it,
    // to whichever replica) and its internal one.
    stack.shopsLb = await balancer(() => stack.shops.map((s) => s.url));
    const shopsEnv = {
      ...common,
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: '4',
      RUN_MIGRATIONS: 'true',
      SHOPWIRE_PUBLIC_URL: stack.shopsLb.url,
      SHOPIFY_API_KEY: CLIENT_ID,
      SHOPIFY_API_SECRET: APP_SECRET,
      SHOPIFY_SCOPES: 'read_orders,read_products,read_inventory',
      SHOPIFY_SHOP_URL: `${simUrl}/shops/{shop}`,
      SHOPIFY_WEBHOOK_URL: gatewayWebhookUrl,
      SHOPS_TOKEN_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      SHOPS_COOKIE_SECRET: randomBytes(32).toString('hex'),
      SHOPS_CONSUMER_GROUP: groups.shops,
      SUBSCRIPTIONS_CONSUMER_GROUP: groups.subscriptions,
      SHOPS_UNINSTALLED_SET_KEY: stack.uninstalledKey,
      SHOPS_REFRESH_POLL_MS: '1000',
    };
    // The first replica migrates alone; the other two find the schema in place.
    for (let i = 0; i < 3; i++)
      stack.shops.push(await stack.launch(`shops`, await freePort(), shopsEnv, `shops-${i + 1}`));

    stack.sync = await stack.launch('sync', syncPort, {
      ...common,
      DATABASE_URL: databaseUrl,
      RUN_MIGRATIONS: 'true',
      SYNC_CONSUMER_GROUP: groups.sync,
      JOBS_CONSUMER_GROUP: `sync-jobs-lifecycle-${id()}`,
      CACHE_PURGE_GROUP: `sync-purge-lifecycle-${id()}`,
      CACHE_KEY_PREFIX: `shopwire-test:${id()}:cache`,
      SHOPS_URL: stack.shopsLb.url,
      SHOPS_API_TOKEN: API_TOKEN,
      SHOPIFY_ADMIN_URL: `${simUrl}/shops/{shop}/admin/api/{version}`,
      SHOPIFY_API_VERSION: API_VERSION,
      ERP_URL: `${simUrl}/sim/erp/orders`,
      ERP_REDACT_URL: `${simUrl}/sim/erp/redact`,
      ...syncEnv,
    });
    return stack;
  }

  /** A bearer-authenticated JSON call to one of the processes. */
  async call<T = Record<string, unknown>>(
    base: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: T }> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${API_TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
  }

  simCall<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
    return this.call<T>(this.sim.url, method, path, body);
  }

  /** Every line every process wrote, by process. */
  allLogs(): string {
    return [...this.logs.values()].join('\n');
  }

  async stop(): Promise<void> {
    for (const process of [...this.processes].reverse()) await process.stop('SIGTERM');
    await this.shopsLb?.close();
    await this.db?.end();
  }

  private async launch(
    app: string,
    port: number,
    env: Record<string, string>,
    name = app,
  ): Promise<ServiceProcess> {
    this.logs.set(name, '');
    const process = await startService(
      app,
      port,
      { ...env, LOG_LEVEL: this.logLevel, OTEL_SERVICE_NAME: name },
      { onOutput: (text) => this.logs.set(name, this.logs.get(name)! + text) },
    );
    this.processes.push(process);
    return process;
  }
}

/** The value of the first series on a Prometheus page matching `pattern` (0 when absent). */
export function metric(page: string, pattern: RegExp): number {
  for (const line of page.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = pattern.exec(line);
    if (match) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return 0;
}

export const uniqueLifecycleShop = () => `lifecycle-${randomUUID().slice(0, 8)}.myshopify.com`;
