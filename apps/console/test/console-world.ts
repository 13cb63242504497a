import {
  ConsumerGroup,
  deadLetterTopicOf,
  envelopeHeaders,
  messageKey,
  retryTopicOf,
  SUBSCRIPTIONS,
} from '@shopwire/contracts';
import { encodeFailureHeaders } from '@shopwire/kafka';
import {
  freePort,
  startGroupAtEnd,
  startService,
  startSimulatorProcess,
  testKafka,
  uniqueShop,
  waitFor,
  type ServiceProcess,
  type SimulatorProcess,
} from '@shopwire/testing';
import type { Producer } from 'kafkajs';
import { createHash, randomBytes, randomUUID } from 'node:crypto';

const sha256 = (token: string) => createHash('sha256').update(token).digest('hex');
const id = () => randomUUID().slice(0, 8);

const CLIENT_ID = 'console-e2e-client';
const CLIENT_SECRET = 'console-e2e-client-secret-0123456789';
const WEBHOOK_SECRET = `console-e2e-webhook-${randomBytes(8).toString('hex')}`;

/**
 * The services the console's browser tests read, each its own process started from dist:
 * the simulator (shops install against it; it signs webhooks and stands in for the ERP), the
 * gateway (webhooks onto Kafka), shops, order (dead letters, replays applied, orders by name),
 * analytics (jobs), sync (the ERP sync a delivery's journey shows) and the console. Inventory and
 * notification are left out on purpose: the console points at closed ports for them and must
 * show them as unreachable, not fail.
 */
export class ConsoleWorld {
  readonly shopA = uniqueShop();
  readonly shopB = uniqueShop();
  /** Not installed: only the webhooks the deliveries test sends through the gateway. */
  readonly shopC = uniqueShop();
  /** Every shop, every scope. */
  readonly adminToken = `console-admin-${randomBytes(16).toString('hex')}`;
  /** Shop A only; may replay dead letters, run jobs and read deliveries. */
  readonly shopAToken = `console-shop-a-${randomBytes(16).toString('hex')}`;
  /** Every shop, but without ops:dead-letters (no payloads, no replays) nor deliveries:read. */
  readonly readerToken = `console-reader-${randomBytes(16).toString('hex')}`;
  readonly orderGroup = `order-console-${id()}`;
  readonly analyticsGroup = `analytics-console-${id()}`;
  readonly syncGroup = `sync-console-${id()}`;
  private readonly processes: ServiceProcess[] = [];
  /** Orders sendOrderThroughGateway already answered. */
  private readonly sentOrders = new Set<string>();
  private sim?: SimulatorProcess;
  private producer?: Producer;
  console!: ServiceProcess;
  /** Everything the console process wrote. */
  consoleLog = '';
  order!: ServiceProcess;
  analytics!: ServiceProcess;
  shops!: ServiceProcess;
  gateway!: ServiceProcess;
  sync!: ServiceProcess;

  async start(): Promise<void> {
    const kafka = testKafka('console-e2e');
    const jobsGroup = `analytics-jobs-console-${id()}`;
    const syncJobsGroup = `sync-jobs-console-${id()}`;
    await Promise.all([
      startGroupAtEnd(kafka, this.orderGroup, [
        ...SUBSCRIPTIONS[ConsumerGroup.Order],
        retryTopicOf(ConsumerGroup.Order),
      ]),
      startGroupAtEnd(kafka, this.analyticsGroup, [
        ...SUBSCRIPTIONS[ConsumerGroup.Analytics],
        retryTopicOf(ConsumerGroup.Analytics),
      ]),
      startGroupAtEnd(kafka, jobsGroup, ['shopwire.jobs.analytics.v1']),
      startGroupAtEnd(kafka, this.syncGroup, [
        ...SUBSCRIPTIONS[ConsumerGroup.Sync],
        retryTopicOf(ConsumerGroup.Sync),
      ]),
    ]);
    this.producer = kafka.producer({ idempotent: true });
    await this.producer.connect();

    this.sim = await startSimulatorProcess({
      SIM_APP_CLIENT_ID: CLIENT_ID,
      SIM_APP_CLIENT_SECRET: CLIENT_SECRET,
      SHOPIFY_WEBHOOK_SECRET: WEBHOOK_SECRET,
    });
    const credentials = JSON.stringify([
      { name: 'console-admin', sha256: sha256(this.adminToken), shops: '*', scopes: '*' },
      {
        name: 'console-shop-a',
        sha256: sha256(this.shopAToken),
        shops: [this.shopA],
        scopes: [
          'dead-letters:read',
          'ops:dead-letters',
          'jobs:read',
          'jobs:write',
          'shops:read',
          'orders:read',
          'deliveries:read',
          'sync:read',
          'notifications:read',
        ],
      },
      {
        name: 'console-reader',
        sha256: sha256(this.readerToken),
        shops: '*',
        scopes: ['dead-letters:read', 'jobs:read', 'shops:read', 'orders:read'],
      },
    ]);
    const common = {
      API_CREDENTIALS: credentials,
      OTEL_SDK_DISABLED: 'true',
      RUN_MIGRATIONS: 'true',
    };
    const [shopsPort, orderPort, analyticsPort, gatewayPort, syncPort, consolePort, ...closed] =
      await Promise.all(Array.from({ length: 8 }, () => freePort()));
    const uninstalledKey = `shopwire-test:${id()}:uninstalled`;
    const launch = async (
      name: string,
      port: number,
      env: Record<string, string>,
      onOutput?: (text: string) => void,
    ) => {
      const started = await startService(name, port, env, { onOutput });
      this.processes.push(started);
      return started;
    };
    this.shops = await launch('shops', shopsPort, {
      ...common,
      SHOPIFY_API_KEY: CLIENT_ID,
      SHOPIFY_API_SECRET: CLIENT_SECRET,
      SHOPIFY_SHOP_URL: `${this.sim.baseUrl}/shops/{shop}`,
      SHOPIFY_WEBHOOK_URL: 'http://127.0.0.1:9/webhooks/shopify',
      SHOPS_TOKEN_KEYS: `k1:${randomBytes(32).toString('base64')}`,
      SHOPS_COOKIE_SECRET: randomBytes(32).toString('hex'),
      SHOPS_CONSUMER_GROUP: `shops-console-${id()}`,
      SUBSCRIPTIONS_CONSUMER_GROUP: `shops-subscriptions-console-${id()}`,
      SHOPS_UNINSTALLED_SET_KEY: uninstalledKey,
    });
    // Started at once: each mostly waits on its own boot and group join.
    [this.order, this.analytics, this.gateway, this.sync] = await Promise.all([
      launch('order', orderPort, { ...common, ORDER_CONSUMER_GROUP: this.orderGroup }),
      launch('analytics', analyticsPort, {
        ...common,
        ANALYTICS_CONSUMER_GROUP: this.analyticsGroup,
        JOBS_CONSUMER_GROUP: jobsGroup,
        // One day per step, one step every two seconds: a year-long report runs for minutes,
        // long enough to be cancelled from the page; a one-day report ends at once.
        SALES_REPORT_DAYS_PER_STEP: '1',
        JOBS_PACE_PER_SECOND: '0.5',
      }),
      launch('gateway', gatewayPort, {
        ...common,
        SHOPIFY_WEBHOOK_SECRETS: WEBHOOK_SECRET,
        UNINSTALLED_SHOPS_KEY: uninstalledKey,
      }),
      launch('sync', syncPort, {
        ...common,
        SYNC_CONSUMER_GROUP: this.syncGroup,
        JOBS_CONSUMER_GROUP: syncJobsGroup,
        CACHE_PURGE_GROUP: `sync-cache-purge-console-${id()}`,
        // The simulator's ERP stand-in, as the pipeline wires it.
        ERP_URL: `${this.sim.baseUrl}/sim/erp/orders`,
        ERP_REDACT_URL: `${this.sim.baseUrl}/sim/erp/redact`,
        WORKER_POLL_MS: '200',
      }),
    ]);
    this.console = await launch(
      'console',
      consolePort,
      {
        CONSOLE_SESSION_KEY: randomBytes(32).toString('base64'),
        CONSOLE_COOKIE_SECURE: 'false',
        CONSOLE_POLL_SECONDS: '1',
        // A dead-letter page reads each DLQ partition from Kafka; on a CI machine running four
        // suites at once that outlasted the 5 s default, and the page showed the service as
        // unreachable instead of its letters.
        CONSOLE_UPSTREAM_TIMEOUT_MS: '20000',
        // Every access line, so the suite can show that no token reaches the log.
        LOG_LEVEL: 'info',
        OTEL_SDK_DISABLED: 'true',
        SHOPS_URL: this.shops.url,
        ORDER_URL: this.order.url,
        ANALYTICS_URL: this.analytics.url,
        INVENTORY_URL: `http://127.0.0.1:${closed[0]}`,
        NOTIFICATION_URL: `http://127.0.0.1:${closed[1]}`,
        SYNC_URL: this.sync.url,
        GATEWAY_URL: this.gateway.url,
      },
      (text) => (this.consoleLog += text),
    );
    for (const shop of [this.shopA, this.shopB]) {
      const installed = await this.call(
        this.shops.url,
        'POST',
        `/shops/${shop}/client-credentials`,
      );
      if (installed.status !== 201) throw new Error(`install of ${shop}: ${installed.status}`);
    }
  }

  async stop(): Promise<void> {
    await this.producer?.disconnect();
    for (const started of [...this.processes].reverse()) await started.stop('SIGTERM');
    await this.sim?.stop();
  }

  /** An admin call to a service's internal API. */
  async call<T = Record<string, unknown>>(
    base: string,
    method: string,
    path: string,
    body?: unknown,
    token = this.adminToken,
  ): Promise<{ status: number; json: T }> {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: (text ? JSON.parse(text) : null) as T };
  }

  /**
   * A dead letter as the order service's runner parks one: an orders/create webhook that failed
   * five rounds (say, on a bug since fixed). Its bytes are a valid order, so a replay applies it.
   */
  async deadLetterAnOrder(shop: string): Promise<{ orderId: string; webhookId: string }> {
    const orderId = (
      BigInt(Date.now()) * 1000n +
      BigInt(Math.floor(Math.random() * 1000))
    ).toString();
    const webhookId = randomUUID();
    const now = new Date().toISOString();
    const body =
      `{"id":${orderId},"admin_graphql_api_id":"gid://shopify/Order/${orderId}","name":"#C${orderId.slice(-4)}",` +
      `"order_number":${Number(orderId.slice(-4))},"email":"buyer@example.com","currency":"EUR",` +
      `"financial_status":"paid","fulfillment_status":null,"total_price":"10.00","subtotal_price":"10.00",` +
      `"total_tax":"0.00","total_discounts":"0.00","created_at":"${now}","updated_at":"${now}",` +
      `"cancelled_at":null,"cancel_reason":null,"line_items":[]}`;
    await this.producer!.send({
      topic: deadLetterTopicOf('shopify.orders.v1'),
      acks: -1,
      messages: [
        {
          key: messageKey(shop, orderId),
          value: Buffer.from(body),
          headers: {
            ...envelopeHeaders({
              webhookId,
              eventId: randomUUID(),
              shopifyTopic: 'orders/create',
              shopDomain: shop,
              apiVersion: '2026-10',
              triggeredAt: now,
              receivedAt: now,
            }),
            ...encodeFailureHeaders({
              sourceTopic: 'shopify.orders.v1',
              sourcePartition: 0,
              sourceOffset: '0',
              attempts: 5,
              firstFailureAt: now,
              lastFailureAt: now,
              deadLetteredAt: now,
              errorType: 'ConsoleTestError',
              errorMessage: 'a bug since fixed',
              group: ConsumerGroup.Order,
              consumerGroup: this.orderGroup,
            }),
          },
        },
      ],
    });
    return { orderId, webhookId };
  }

  /**
   * One orders/create webhook for `shop`, signed by the simulator and sent through the real
   * gateway (a one-webhook stream whose target is the gateway), then waited for until the order
   * service has the order: its name and the webhook id, as an operator would look them up.
   */
  async sendOrderThroughGateway(
    shop: string,
  ): Promise<{ orderId: string; name: string; webhookId: string }> {
    const started = await this.sim!.call<{ id: string }>('POST', '/sim/webhooks/streams', {
      rate: 1,
      count: 1,
      topics: { 'orders/create': 1 },
      shops: [shop],
      targetUrl: `${this.gateway.url}/webhooks/shopify`,
    });
    if (started.status !== 201)
      throw new Error(`stream: ${started.status} ${JSON.stringify(started.json)}`);
    return waitFor(
      async () => {
        const page = await this.call<{
          orders: { id: string; name: string | null; last_webhook_id: string }[];
        }>(this.order.url, 'GET', `/orders?shop=${shop}&limit=200`);
        // The shop's order this call created: the one not handed out before.
        const order =
          page.status === 200
            ? page.json.orders.find((o) => o.name && !this.sentOrders.has(o.id))
            : undefined;
        if (!order?.name) return null;
        this.sentOrders.add(order.id);
        return { orderId: order.id, name: order.name, webhookId: order.last_webhook_id };
      },
      { timeoutMs: 60_000, what: `an order of ${shop} through the gateway` },
    );
  }

  /** A sales report job for `shop`; `days` long (one step a day). */
  async submitReport(
    shop: string,
    from: string,
    to: string,
    token = this.adminToken,
  ): Promise<string> {
    const submitted = await this.call<{ id: string }>(
      this.analytics.url,
      'POST',
      '/jobs',
      { type: 'sales-report', params: { shop, from, to, format: 'csv' } },
      token,
    );
    if (submitted.status !== 202)
      throw new Error(`job submit: ${submitted.status} ${JSON.stringify(submitted.json)}`);
    return submitted.json.id;
  }
}
