import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@shopwire/config';
import { createHttpApp } from '@shopwire/http';
import { createLogger, createMetricsRegistry, NestPinoLogger } from '@shopwire/observability';
import { signedPerShopifyDocs } from './support/shopify-doc-checks';
import type { AddressInfo } from 'node:net';
import { AppModule } from '../src/app.module';
import { simConfigSchema } from '../src/config/sim-config.schema';
import type { StreamStatus } from '../src/webhooks/traffic/webhook-stream';
import { WebhookReceiver } from './support/webhook-receiver';

const TOKEN = 'integration-token-0123456789';
const SECRET = 'api-integration-secret';

describe('simulator HTTP API (Nest on Fastify)', () => {
  let app: NestFastifyApplication;
  let base: string;
  const receiver = new WebhookReceiver((r) => ({
    status: r.seenCount === 1 && r.body.length % 3 === 0 ? 500 : 200,
  }));
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const auth = { ...bearer, 'content-type': 'application/json' };

  beforeAll(async () => {
    const gatewayUrl = await receiver.start();
    const config = loadConfig(simConfigSchema, {
      API_TOKENS: `tests:${TOKEN}`,
      SHOPIFY_WEBHOOK_SECRET: SECRET,
      GATEWAY_URL: gatewayUrl,
      RETRY_TIME_SCALE: '0.0001',
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger('shopify-sim', 'silent');
    app = await createHttpApp(
      AppModule.forRoot({ config, logger, registry: createMetricsRegistry('shopify-sim') }),
      {
        title: 'Shopify simulator',
        description: 'test',
        logger: new NestPinoLogger(logger),
        bearerAuth: true,
      },
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await receiver.stop();
  });

  async function waitFor(id: string, states: string[]): Promise<StreamStatus> {
    for (let i = 0; i < 200; i++) {
      const status = (await (
        await fetch(`${base}/sim/webhooks/streams/${id}`, { headers: bearer })
      ).json()) as StreamStatus;
      if (states.includes(status.state)) return status;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`stream ${id} never reached ${states.join('/')}`);
  }

  it('serves health, metrics and docs without a token, and nothing else', async () => {
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
    expect((await fetch(`${base}/docs-json`)).status).toBe(200);
    expect((await fetch(`${base}/sim/webhooks/stats`)).status).toBe(401);
    expect(
      (
        await fetch(`${base}/sim/webhooks/stats`, {
          headers: { authorization: 'Bearer wrong-token-123456789' },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await fetch(`${base}/sim/webhooks/streams`, {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(401);
  });

  it('runs a stream to completion and reports it in the stream, the stats and the metrics', async () => {
    const response = await fetch(`${base}/sim/webhooks/streams`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ rate: 200, count: 40, faults: { duplicates: 0.2 }, seed: 'api-it' }),
    });
    expect(response.status).toBe(201);
    const started = (await response.json()) as StreamStatus;
    expect(started.id).toMatch(/^wst_/);
    const done = await waitFor(started.id, ['completed']);
    expect(done.stats).toMatchObject({ generated: 40, failed: 0, inFlight: 0, waitingRetry: 0 });
    expect(done.stats.delivered).toBe(40 + done.stats.duplicatesSent);
    expect(done.stats.retried).toBeGreaterThan(0);

    // Only this stream has sent anything so far.
    expect(receiver.received.length).toBe(done.stats.attempts);
    for (const r of receiver.received)
      expect(
        signedPerShopifyDocs(r.body, String(r.headers['x-shopify-hmac-sha256']), [SECRET]),
      ).toBe(true);

    const stats = (await (await fetch(`${base}/sim/webhooks/stats`, { headers: auth })).json()) as {
      deliveries: { delivered: number; generated: number };
    };
    expect(stats.deliveries.generated).toBeGreaterThanOrEqual(40);
    expect(stats.deliveries.delivered).toBeGreaterThanOrEqual(done.stats.delivered);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(
      /shopify_sim_webhook_deliveries_total\{topic="orders\/create",result="delivered"[^}]*\} \d+/,
    );
    expect(metrics).toContain('shopify_sim_webhook_attempt_duration_seconds_bucket');
  });

  it('stops a running stream on DELETE', async () => {
    const response = await fetch(`${base}/sim/webhooks/streams`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ rate: 20 }),
    });
    const { id } = (await response.json()) as StreamStatus;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopped = (await (
      await fetch(`${base}/sim/webhooks/streams/${id}`, { method: 'DELETE', headers: bearer })
    ).json()) as StreamStatus;
    expect(stopped.state).toBe('stopped');
    const generated = stopped.stats.generated;
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await waitFor(id, ['stopped'])).stats.generated).toBe(generated);
  });

  it('answers 400 with every problem for a bad request and 404 for an unknown stream', async () => {
    const bad = await fetch(`${base}/sim/webhooks/streams`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ rate: 0, topics: { 'orders/deleted': 1 }, faults: { duplicates: 3 } }),
    });
    expect(bad.status).toBe(400);
    const problems = ((await bad.json()) as { problems: string[] }).problems.join('\n');
    expect(problems).toMatch(/rate/);
    expect(problems).toMatch(/topics/);
    expect(problems).toMatch(/faults\.duplicates/);
    expect((await fetch(`${base}/sim/webhooks/streams/wst_nope`, { headers: auth })).status).toBe(
      404,
    );
  });
});
