import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig } from '@shopwire/config';
import { createHttpApp } from '@shopwire/http';
import { createLogger, createMetricsRegistry, NestPinoLogger } from '@shopwire/observability';
import type { AddressInfo } from 'node:net';
import { createTransport } from 'nodemailer';
import { AppModule } from '../src/app.module';
import { simConfigSchema } from '../src/config/sim-config.schema';
import { SmtpSinkService } from '../src/third-parties/smtp-sink.service';

const TOKEN = 'integration-token-0123456789';

// Assertions read response JSON freely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

describe('third-party stand-ins: SMTP sink and ERP', () => {
  let app: NestFastifyApplication;
  let base: string;
  let smtpUrl: string;
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return {
      status: response.status,
      headers: response.headers,
      json: (await response.json().catch(() => null)) as Json,
    };
  };
  const send = (to: string, messageId: string) => {
    const transport = createTransport(smtpUrl);
    return transport
      .sendMail({
        from: 'shop@shopwire.dev',
        to,
        subject: `hello ${messageId}`,
        text: 'body',
        messageId,
      })
      .finally(() => transport.close());
  };

  beforeAll(async () => {
    const config = loadConfig(simConfigSchema, {
      API_TOKENS: `tests:${TOKEN}`,
      SHOPIFY_WEBHOOK_SECRET: 'third-party-secret',
      LOG_LEVEL: 'silent',
    });
    const logger = createLogger('shopify-sim', 'silent');
    app = await createHttpApp(
      AppModule.forRoot({
        config,
        logger,
        registry: createMetricsRegistry('shopify-sim'),
        smtpPort: 0,
      }),
      { title: 'sim', description: 'test', logger: new NestPinoLogger(logger), bearerAuth: true },
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    smtpUrl = `smtp://127.0.0.1:${app.get(SmtpSinkService).stats().port}`;
  });

  afterAll(async () => {
    await app?.close();
  });

  it('stores mail, filters it, forgets it, and needs the token to show it', async () => {
    await send('a@example.com', '<m-1@test>');
    await send('b@example.com', '<m-2@test>');
    expect((await fetch(`${base}/sim/smtp/messages`)).status).toBe(401);
    expect((await api('GET', '/sim/smtp/messages')).json.count).toBe(2);
    const byTo = await api('GET', '/sim/smtp/messages?to=B@example.com');
    expect(byTo.json.messages).toMatchObject([
      { to: ['b@example.com'], messageId: '<m-2@test>', subject: 'hello <m-2@test>' },
    ]);
    expect(
      (await api('GET', `/sim/smtp/messages?messageId=${encodeURIComponent('<m-1@test>')}`)).json
        .count,
    ).toBe(1);
    expect((await api('DELETE', '/sim/smtp/messages')).json).toEqual({ removed: 2 });
    expect((await api('GET', '/sim/smtp/messages')).json.count).toBe(0);
  });

  it('injects permanent and temporary refusals, and goes down and up', async () => {
    expect((await api('POST', '/sim/smtp/faults', { rejectRate: 2 })).status).toBe(400);
    await api('POST', '/sim/smtp/faults', { rejectRate: 1 });
    await expect(send('a@example.com', '<r@test>')).rejects.toMatchObject({ responseCode: 550 });
    await api('POST', '/sim/smtp/faults', { tempFailRate: 1 });
    await expect(send('a@example.com', '<t@test>')).rejects.toMatchObject({ responseCode: 451 });
    await api('POST', '/sim/smtp/faults', { down: true });
    await expect(send('a@example.com', '<d@test>')).rejects.toMatchObject({ code: 'ESOCKET' });
    expect((await api('GET', '/health/ready')).json.info['smtp-sink']).toMatchObject({
      listening: false,
    });
    await api('POST', '/sim/smtp/faults', {});
    await send('a@example.com', '<u@test>');
    expect(
      (await api('GET', '/sim/smtp/messages')).json.messages.map(
        (m: { messageId: string }) => m.messageId,
      ),
    ).toEqual(['<u@test>']);
    expect((await api('GET', '/sim/smtp/stats')).json).toMatchObject({
      rejected: 1,
      tempFailed: 1,
      listening: true,
    });
  });

  it('records ERP orders once, counting repeats, with faults and redactions', async () => {
    const order = { shopDomain: 'erp.myshopify.com', orderId: '9007199254740993' };
    const post = (body: unknown) =>
      fetch(`${base}/sim/erp/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' },
        body: JSON.stringify(body),
      });
    expect((await post(order)).status).toBe(201);
    expect((await post(order)).status).toBe(200);
    expect((await post({ shopDomain: 'x', orderId: 12.5 })).status).toBe(400);

    await api('POST', '/sim/erp/faults', { status429Rate: 1, retryAfter: '1.5' });
    const throttled = await post(order);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1.5');
    await api('POST', '/sim/erp/faults', { errorRate: 1 });
    expect((await post(order)).status).toBe(503);
    await api('POST', '/sim/erp/faults', { down: true });
    await expect(post(order)).rejects.toThrow();
    await api('POST', '/sim/erp/faults', {});

    const [record] = (await api('GET', '/sim/erp/orders?shop=erp.myshopify.com')).json;
    expect(record).toMatchObject({
      orderId: '9007199254740993',
      duplicates: 1,
      idempotencyKey: 'k-1',
    });
    expect(record.calls.map((c: { answer: number }) => c.answer)).toEqual([201, 200, 429, 503]);

    const redact = await fetch(`${base}/sim/erp/redact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        shopDomain: 'erp.myshopify.com',
        scope: 'customer',
        customerId: '42',
        orderIds: [],
      }),
    });
    expect(redact.status).toBe(202);
    expect((await api('GET', '/sim/erp/redactions?shop=erp.myshopify.com')).json).toMatchObject([
      { scope: 'customer', customerId: '42' },
    ]);
    expect((await api('GET', '/sim/erp/stats')).json).toMatchObject({
      created: 1,
      duplicates: 1,
      throttled: 1,
      failed: 1,
      dropped: 1,
      redactions: 1,
    });
  });

  it('scopes a guest redaction to the orders it names, and refuses one that names nobody', async () => {
    const shop = 'erp-guest.myshopify.com';
    const order = (orderId: string, customer: { id: string | null; email: string } | null) => ({
      shopDomain: shop,
      orderId,
      order: { id: orderId, email: customer?.email ?? null, customer },
    });
    const post = (path: string, body: unknown) =>
      fetch(`${base}/sim/erp/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await post('orders', order('101', { id: null, email: 'guest@example.com' }))).status,
    ).toBe(201);
    expect(
      (await post('orders', order('102', { id: '7', email: 'known@example.com' }))).status,
    ).toBe(201);

    // The old contract's shape (no scope, customerId null) meant "the whole shop": now a 400.
    expect((await post('redact', { shopDomain: shop, customerId: null })).status).toBe(400);
    expect(
      (
        await post('redact', {
          shopDomain: shop,
          scope: 'customer',
          customerId: null,
          orderIds: [],
        })
      ).status,
    ).toBe(400);
    const guest = await post('redact', {
      shopDomain: shop,
      scope: 'customer',
      customerId: null,
      orderIds: ['101'],
    });
    expect(guest.status).toBe(202);
    expect(await guest.json()).toMatchObject({ scope: 'customer', ordersErased: 1 });

    const bodies = async () =>
      Object.fromEntries(
        (
          (await api('GET', `/sim/erp/orders?shop=${shop}`)).json as {
            orderId: string;
            body: { order: unknown };
          }[]
        ).map((r) => [r.orderId, r.body.order]),
      );
    expect(await bodies()).toEqual({
      '101': { id: '101', email: null, customer: null },
      '102': {
        id: '102',
        email: 'known@example.com',
        customer: { id: '7', email: 'known@example.com' },
      },
    });

    const wholeShop = await post('redact', { shopDomain: shop, scope: 'shop' });
    expect(await wholeShop.json()).toMatchObject({ scope: 'shop', ordersErased: 2 });
    expect((await bodies())['102']).toEqual({ id: '102', email: null, customer: null });
  });
});
