import { DomainTopic, envelopeHeaders, messageKey, ShopifyKafkaTopic } from '@shopwire/contracts';
import {
  injectTraceHeaders,
  SpanKind,
  SpanStatusCode,
  startSpanCapture,
  trace,
  tracer,
  type ReadableSpan,
  type SpanCapture,
} from '@shopwire/observability';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import { ROOT_CONTEXT } from '@opentelemetry/api';
import type { Producer } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSyncDataSource, runSyncMigrations } from '../src/database/migrate';
import { ErpClient } from '../src/orders/erp-client';
import { ErpSyncWorker } from '../src/orders/erp-sync.worker';
import {
  DATABASE_URL,
  orderData,
  orderEvent,
  startApp,
  startGroupAtEnd,
  testKafka,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './sync-harness';

// The ERP call joins the trace of the event that asked for it: real Kafka, Postgres and the
// simulator's ERP stand-in, spans captured in memory by the same SDK set-up the services use.
// The schema is migrated, not dropped: other suites may be using it; every shop here is new.
const groupId = `sync-trace-it-${randomUUID()}`;
let capture: SpanCapture;
let sim: SimulatorProcess;
let producer: Producer;
let app: RunningApp;

const test = tracer('erp-trace-test');

/** A stand-in for the gateway's span: the trace an accepted order's message carries. */
function upstreamTrace(): { traceId: string; spanId: string; headers: Record<string, string> } {
  const span = test.startSpan('upstream', { kind: SpanKind.PRODUCER }, ROOT_CONTEXT);
  span.end();
  const headers = injectTraceHeaders({}, trace.setSpan(ROOT_CONTEXT, span));
  return { ...span.spanContext(), headers };
}

async function produceOrder(shop: string, headers: Record<string, string>): Promise<string> {
  const order = orderData();
  const event = orderEvent(DomainTopic.OrderAccepted, shop, order);
  await producer.send({
    topic: event.topic,
    acks: -1,
    messages: [{ key: messageKey(shop, order.id), value: event.value, headers }],
  });
  return order.id;
}

function erpSpanOf(shop: string, done: (span: ReadableSpan) => boolean = () => true) {
  return capture
    .named('erp call')
    .find((s) => s.attributes['shopify.shop_domain'] === shop && done(s));
}

beforeAll(async () => {
  capture = startSpanCapture('sync');
  const dataSource = createSyncDataSource({ url: DATABASE_URL, poolSize: 2 });
  await dataSource.initialize();
  try {
    await runSyncMigrations(dataSource);
  } finally {
    await dataSource.destroy();
  }
  sim = await startSimulatorProcess();
  const kafka = testKafka();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  app = await startApp(groupId, { ERP_URL: `${sim.baseUrl}/sim/erp/orders` });
});

afterAll(async () => {
  await app?.close();
  await producer?.disconnect();
  await sim?.stop();
  await capture?.stop();
});

afterEach(async () => {
  await sim.call('POST', '/sim/erp/faults', {});
});

describe('ERP call spans', () => {
  // First: the failure case below leaves the ERP breaker open for a second.
  it('sends its traceparent with every attempt, so the ERP can continue the trace', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const erpReceiver: Server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume();
      // First attempt asked to slow down (a 429 does not count against the breaker), the second
      // accepted.
      res.writeHead(seen.length === 1 ? 429 : 201).end();
    });
    await new Promise<void>((resolve) => erpReceiver.listen(0, '127.0.0.1', resolve));
    try {
      const shop = uniqueShop();
      const upstream = upstreamTrace();
      const { port } = erpReceiver.address() as AddressInfo;
      // through the worker's `erp` breaker, as the worker calls it
      const guard = app.app.get(ErpSyncWorker).worker.guard('erp');
      const status = await app.app.get(ErpClient).call(
        {
          url: `http://127.0.0.1:${port}/orders?token=not-on-the-span`,
          idempotencyKey: `${shop}/1`,
          body: {},
          shopDomain: shop,
          kind: 'order',
          parent: trace.setSpanContext(ROOT_CONTEXT, { ...upstream, traceFlags: 1 }),
        },
        guard,
      );
      expect(status).toBe(201);

      const erp = erpSpanOf(shop)!;
      expect(erp.parentSpanContext?.spanId).toBe(upstream.spanId);
      const { traceId, spanId } = erp.spanContext();
      expect(seen.map((h) => h.traceparent)).toEqual([
        `00-${traceId}-${spanId}-01`,
        `00-${traceId}-${spanId}-01`,
      ]);
      expect(erp.attributes['shopwire.retry_count']).toBe(1);
      expect(erp.status.code).toBe(SpanStatusCode.UNSET);
      expect(JSON.stringify(erp.attributes)).not.toContain('not-on-the-span');
      expect(JSON.stringify(erp.attributes)).not.toContain('/orders');
    } finally {
      erpReceiver.closeAllConnections();
      erpReceiver.close();
    }
  });

  it('hangs the ERP call under the sync consumer span of the order, in the trace it arrived with', async () => {
    const shop = uniqueShop();
    const upstream = upstreamTrace();
    const orderId = await produceOrder(shop, upstream.headers);

    await waitFor(() => erpSpanOf(shop) !== undefined, 'the ERP call span');
    const erp = erpSpanOf(shop)!;
    const applied = capture
      .named('sync.apply')
      .filter((s) => s.spanContext().traceId === upstream.traceId);
    const processed = capture
      .named(`process ${DomainTopic.OrderAccepted}`)
      .filter((s) => s.spanContext().traceId === upstream.traceId);

    expect(applied).toHaveLength(1);
    expect(applied[0].parentSpanContext?.spanId).toBe(upstream.spanId);
    expect(processed).toHaveLength(1);
    expect(erp.spanContext().traceId).toBe(upstream.traceId);
    expect(erp.parentSpanContext?.spanId).toBe(applied[0].spanContext().spanId);
    expect(erp.kind).toBe(SpanKind.CLIENT);
    expect(erp.status.code).toBe(SpanStatusCode.UNSET);
    expect(erp.attributes).toMatchObject({
      'shopify.shop_domain': shop,
      'http.request.method': 'POST',
      'server.address': '127.0.0.1',
      'shopwire.erp.kind': 'order',
      'http.response.status_code': 201,
      'shopwire.retry_count': 0,
    });
    // Nothing of the order's content rides on the span.
    expect(JSON.stringify(erp.attributes)).not.toContain('@example.com');
    expect(JSON.stringify(erp.attributes)).not.toContain(orderId);
  });

  it('hangs a redaction forwarded to the ERP under the compliance webhook it came from', async () => {
    const shop = uniqueShop();
    const upstream = upstreamTrace();
    await producer.send({
      topic: ShopifyKafkaTopic.Compliance,
      acks: -1,
      messages: [
        {
          key: shop,
          value: Buffer.from(
            `{"shop_id":1,"shop_domain":"${shop}","customer":{"id":42,"email":"gone@example.com"},"orders_to_redact":[]}`,
          ),
          headers: {
            ...envelopeHeaders({
              webhookId: randomUUID(),
              eventId: randomUUID(),
              shopifyTopic: 'customers/redact',
              shopDomain: shop,
              apiVersion: '2026-10',
              triggeredAt: new Date().toISOString(),
              receivedAt: new Date().toISOString(),
            }),
            ...upstream.headers,
          },
        },
      ],
    });

    await waitFor(() => erpSpanOf(shop) !== undefined, 'the redaction call span');
    const erp = erpSpanOf(shop)!;
    const applied = capture
      .named('sync.apply')
      .find((s) => s.spanContext().traceId === upstream.traceId);
    expect(applied?.parentSpanContext?.spanId).toBe(upstream.spanId);
    expect(erp.spanContext().traceId).toBe(upstream.traceId);
    expect(erp.parentSpanContext?.spanId).toBe(applied?.spanContext().spanId);
    expect(erp.attributes).toMatchObject({
      'shopwire.erp.kind': 'redact',
      'http.response.status_code': expect.any(Number),
    });
    expect(erp.status.code).toBe(SpanStatusCode.UNSET);
    expect(JSON.stringify(erp.attributes)).not.toContain('gone@example.com');
  });

  it('marks the span failed, with one event per failed attempt, when the ERP keeps failing', async () => {
    await sim.call('POST', '/sim/erp/faults', { errorRate: 1 });
    const shop = uniqueShop();
    const upstream = upstreamTrace();
    await produceOrder(shop, upstream.headers);

    await waitFor(() => erpSpanOf(shop) !== undefined, 'the failed ERP call span');
    const erp = erpSpanOf(shop)!;
    const applied = capture
      .named('sync.apply')
      .find((s) => s.spanContext().traceId === upstream.traceId);

    expect(erp.spanContext().traceId).toBe(upstream.traceId);
    expect(erp.parentSpanContext?.spanId).toBe(applied?.spanContext().spanId);
    expect(erp.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ERP answered 503' });
    // ERP_ATTEMPTS=3 in the harness; the breaker (volume 3, 50 %) may open after the second
    // failure, given the successes before it, and refuse the third: then two were sent.
    const failures = erp.events.filter((e) => e.name === 'erp attempt failed');
    const sent = failures.length;
    expect(sent).toBeGreaterThanOrEqual(2);
    expect(failures.map((e) => e.attributes?.['shopwire.attempt'])).toEqual(
      Array.from({ length: sent }, (_, i) => i + 1),
    );
    expect(failures[0].attributes?.['error.type']).toBe('503');
    expect(erp.attributes).toMatchObject({
      'http.response.status_code': 503,
      'error.type': '503',
      'shopwire.retry_count': sent - 1,
    });
    const exception = erp.events.find((e) => e.name === 'exception');
    expect(exception?.attributes?.['exception.message']).toBe('ERP answered 503');
  });
});
