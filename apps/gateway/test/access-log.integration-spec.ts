import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@shopwire/config';
import { createLogger } from '@shopwire/observability';
import { gatewayConfigSchema } from '../src/config';
import { createGatewayApp } from '../src/gateway.app';
import { OLD_SECRET, orderBody, post, SECRET, signedDelivery } from './gateway-harness';

/**
 * The gateway's request log, as it would reach stdout: one access line per delivery with the
 * request id and the route, and nothing of what a delivery carries — its HMAC, its body (a
 * customer's email here) or its headers — on any line.
 */
describe('gateway access log (real broker)', () => {
  let app: NestFastifyApplication;
  let url: string;
  const raw: string[] = [];
  const lines = () => raw.map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeAll(async () => {
    const config = loadConfig(gatewayConfigSchema, {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      SHOPIFY_WEBHOOK_SECRETS: `${SECRET},${OLD_SECRET}`,
    });
    const logger = createLogger('gateway', 'info', {
      write: (line: string) => void raw.push(line),
    });
    app = await createGatewayApp(config, logger);
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
  });

  async function accessLine(requestId: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const line = lines().find((l) => l.request_id === requestId && l.msg === 'request completed');
      if (line) return line;
      if (Date.now() > deadline) throw new Error(`no access line for ${requestId}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('logs an accepted delivery and a forged one by route and status, without HMAC, body or headers', async () => {
    const delivery = signedDelivery(orderBody('820982911946154601'));
    const accepted = await post(url, {
      body: delivery.body,
      headers: { ...delivery.headers, 'x-request-id': 'gw-access-accepted' },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('x-request-id')).toBe('gw-access-accepted');
    expect(await accessLine('gw-access-accepted')).toMatchObject({
      service: 'gateway',
      method: 'POST',
      route: '/webhooks/shopify',
      status: 200,
    });

    const forged = signedDelivery(orderBody('820982911946154602'), { secret: 'not-the-secret' });
    const refused = await post(url, {
      body: forged.body,
      headers: { ...forged.headers, 'x-request-id': 'gw-access-forged' },
    });
    expect(refused.status).toBe(401);
    expect(await accessLine('gw-access-forged')).toMatchObject({
      route: '/webhooks/shopify',
      status: 401,
    });

    const text = raw.join('');
    for (const secret of [
      delivery.headers['x-shopify-hmac-sha256']!,
      forged.headers['x-shopify-hmac-sha256']!,
      'jon@example.com',
      '820982911946154601',
      delivery.webhookId,
    ])
      expect(text).not.toContain(secret);
  });
});
