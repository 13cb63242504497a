import { signedPerShopifyDocs } from './support/shopify-doc-checks';
import { createServer } from 'node:net';
import { NO_FAULTS, type FaultOptions } from '../src/webhooks/delivery/fault-injector';
import { shopifyRetryDelaysMs } from '../src/webhooks/delivery/retry-schedule';
import { WebhookDeliveryClient } from '../src/webhooks/delivery/webhook-delivery.client';
import { WebhookDeliveryEngine } from '../src/webhooks/delivery/webhook-delivery.engine';
import { WebhookStream } from '../src/webhooks/traffic/webhook-stream';
import {
  WebhookReceiver,
  type ReceiverAnswer,
  type ReceivedWebhook,
} from './support/webhook-receiver';

const SECRET = 'integration-secret';
// 4 h × 0.0001 = 1.44 s for the whole schedule: a give-up takes under two seconds.
const TIME_SCALE = 0.0001;

interface Harness {
  receiver: WebhookReceiver;
  client: WebhookDeliveryClient;
  engine: WebhookDeliveryEngine;
  run(options: {
    count: number;
    rate?: number;
    faults?: Partial<FaultOptions>;
    url?: string;
  }): Promise<WebhookStream>;
}

const open: Harness[] = [];

async function harness(
  answer: (request: ReceivedWebhook) => ReceiverAnswer,
  tuning: { responseTimeoutMs?: number; concurrency?: number } = {},
): Promise<Harness> {
  const receiver = new WebhookReceiver(answer);
  const url = await receiver.start();
  const client = new WebhookDeliveryClient({
    connections: 16,
    connectTimeoutMs: 1000,
    responseTimeoutMs: tuning.responseTimeoutMs ?? 5000,
  });
  const engine = new WebhookDeliveryEngine(client, {
    concurrency: tuning.concurrency ?? 16,
    retryDelaysMs: shopifyRetryDelaysMs(TIME_SCALE),
  });
  const h: Harness = {
    receiver,
    client,
    engine,
    async run({ count, rate = 500, faults = {}, url: target = url }) {
      const stream = new WebhookStream(
        `s-${Math.random()}`,
        {
          url: target,
          ratePerSecond: rate,
          count,
          shops: ['shopwire-demo.myshopify.com'],
          faults: { ...NO_FAULTS, ...faults },
          signing: { oldSecretProbability: 0, wrongSecretProbability: 0 },
          seed: `it-${count}-${rate}`,
          apiVersion: '2026-10',
          secrets: { current: SECRET },
        },
        engine,
      );
      stream.start();
      await stream.done;
      return stream;
    },
  };
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    await h.engine.close();
    await h.client.close();
    await h.receiver.stop();
  }
});

describe('webhook delivery against a real HTTP receiver', () => {
  it('retries failed attempts with the same webhook id, body and signature until delivered', async () => {
    const h = await harness((r) => ({ status: r.seenCount <= 2 ? 500 : 200 }));
    const stream = await h.run({ count: 20 });
    const stats = stream.status().stats;
    expect(stats).toMatchObject({
      generated: 20,
      submitted: 20,
      delivered: 20,
      failed: 0,
      retried: 40,
      attempts: 60,
      inFlight: 0,
    });
    expect(stats.failuresByReason.http_status).toBe(40);
    const groups = h.receiver.byWebhookId();
    expect(groups.size).toBe(20);
    for (const attempts of groups.values()) {
      expect(attempts).toHaveLength(3);
      const [first, ...retries] = attempts;
      for (const retry of retries) {
        expect(retry.body.equals(first!.body)).toBe(true);
        expect(retry.headers['x-shopify-hmac-sha256']).toBe(
          first!.headers['x-shopify-hmac-sha256'],
        );
        expect(retry.headers['x-shopify-event-id']).toBe(first!.headers['x-shopify-event-id']);
        expect(retry.headers['x-shopify-triggered-at']).toBe(
          first!.headers['x-shopify-triggered-at'],
        );
      }
      expect(
        signedPerShopifyDocs(first!.body, String(first!.headers['x-shopify-hmac-sha256']), [
          SECRET,
        ]),
      ).toBe(true);
      expect(first!.headers['shopify-webhook-id']).toBe(first!.webhookId);
    }
    expect(stats.latencyMs.p50).not.toBeNull();
    expect(stats.latencyMs.p99!).toBeGreaterThanOrEqual(stats.latencyMs.p50!);
  });

  it('gives up after 8 retries, spacing them exponentially', async () => {
    const h = await harness(() => ({ status: 503 }));
    const started = Date.now();
    const stream = await h.run({ count: 3 });
    const stats = stream.status().stats;
    expect(stats).toMatchObject({
      delivered: 0,
      failed: 3,
      retried: 24,
      attempts: 27,
      waitingRetry: 0,
    });
    for (const attempts of h.receiver.byWebhookId().values()) {
      expect(attempts).toHaveLength(9);
      const gaps = attempts.slice(1).map((a, i) => a.at - attempts[i]!.at);
      expect(gaps[7]!).toBeGreaterThan(gaps[3]! * 4);
      expect(new Set(attempts.map((a) => a.body.toString('base64'))).size).toBe(1);
    }
    // The scaled schedule is 1.44 s; the whole run cannot have been shorter.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1400);
  });

  it('counts a slow answer as a failed attempt (timeout) and retries it', async () => {
    const h = await harness(
      (r) => (r.seenCount === 1 ? { status: 200, delayMs: 800 } : { status: 200 }),
      {
        responseTimeoutMs: 200,
      },
    );
    const stream = await h.run({ count: 5 });
    const stats = stream.status().stats;
    expect(stats.failuresByReason.timeout).toBe(5);
    expect(stats).toMatchObject({ delivered: 5, failed: 0, retried: 5 });
    for (const attempts of h.receiver.byWebhookId().values()) expect(attempts).toHaveLength(2);
  });

  it('does not follow redirects: a 3xx is a failure', async () => {
    const h = await harness((r) =>
      r.path.startsWith('/elsewhere')
        ? { status: 200 }
        : { status: 302, headers: { location: '/elsewhere' } },
    );
    const stream = await h.run({ count: 2 });
    const stats = stream.status().stats;
    expect(stats).toMatchObject({ delivered: 0, failed: 2, attempts: 18 });
    expect(stats.failuresByReason.redirect).toBe(18);
    expect(h.receiver.received.some((r) => r.path.startsWith('/elsewhere'))).toBe(false);
  });

  it('counts a refused connection as a failure', async () => {
    const h = await harness(() => ({ status: 200 }));
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number };
        probe.close(() => resolve(free));
      });
    });
    const stream = await h.run({ count: 1, url: `http://127.0.0.1:${port}/webhooks/shopify` });
    expect(stream.status().stats).toMatchObject({ failed: 1, attempts: 9 });
    expect(stream.status().stats.failuresByReason.connection_error).toBe(9);
  });

  it('sends duplicates with the same webhook id and counts them', async () => {
    const h = await harness(() => ({ status: 200 }));
    const stream = await h.run({
      count: 200,
      faults: { duplicateProbability: 0.3, reorderWindow: 20 },
    });
    const stats = stream.status().stats;
    expect(stats.duplicatesSent).toBeGreaterThan(30);
    expect(stats).toMatchObject({
      generated: 200,
      submitted: 200 + stats.duplicatesSent,
      delivered: 200 + stats.duplicatesSent,
    });
    const groups = [...h.receiver.byWebhookId().values()];
    expect(groups).toHaveLength(200);
    expect(groups.filter((g) => g.length === 2)).toHaveLength(stats.duplicatesSent);
    for (const g of groups.filter((x) => x.length === 2))
      expect(g[0]!.body.equals(g[1]!.body)).toBe(true);
  });

  it('lets an older order update arrive after a newer one when reordering', async () => {
    // One request at a time, so arrival order is send order.
    const h = await harness(() => ({ status: 200 }), { concurrency: 1 });
    const stream = await h.run({ count: 300, faults: { reorderWindow: 30 } });
    expect(stream.status().stats.delivered).toBe(300);
    const latest = new Map<string, string>();
    let stale = 0;
    for (const r of h.receiver.received) {
      const text = r.body.toString();
      const id = /^\{"id":(\d+)/.exec(text)?.[1];
      const updatedAt = /"updated_at":"([^"]+)"/.exec(text)?.[1];
      if (!id || !updatedAt || !String(r.headers['x-shopify-topic']).startsWith('orders/'))
        continue;
      const seen = latest.get(id);
      if (seen && Date.parse(seen) > Date.parse(updatedAt)) stale++;
      else latest.set(id, updatedAt);
    }
    expect(stale).toBeGreaterThan(0);
  });
});
