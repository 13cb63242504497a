import { waitFor } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pipeline, PIPELINE_TOKEN } from './pipeline-harness';

// test-runs-alone: it starts every service as a process and waits for one whole trace; beside
// other suites on a 2-core machine it ran out of its time budget in CI.
/**
 * Observability end to end, with every service as its own process exporting over OTLP/HTTP to a
 * collector stand-in run by this test (it records the JSON the real exporter posts):
 *  - one webhook makes one trace that runs gateway → order → notification, down to the SMTP send;
 *  - every service's /metrics exposes the series the dashboards and alerts are built on.
 */
interface ExportedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: {
      spans?: { name: string; traceId: string; spanId: string; parentSpanId?: string }[];
    }[];
  }[];
}

function collector(): Promise<{ server: Server; url: string; spans: ExportedSpan[] }> {
  const spans: ExportedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as OtlpRequest;
        for (const rs of body.resourceSpans ?? []) {
          const service =
            rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue ??
            '?';
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                service,
                name: s.name,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId ?? '',
              });
        }
      } catch {
        // not JSON (a protobuf exporter would land here): the test then fails on missing spans
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans }),
    ),
  );
}

describe('traces and metrics across the pipeline (separate processes)', () => {
  let pipeline: Pipeline;
  let otlp: Awaited<ReturnType<typeof collector>>;
  const shop = `trace-${randomUUID().slice(0, 8)}.myshopify.com`;

  beforeAll(async () => {
    otlp = await collector();
    pipeline = await Pipeline.start({
      OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      OTEL_BSP_SCHEDULE_DELAY: '200',
    });
  }, 180_000);

  afterAll(async () => {
    await pipeline?.stop();
    otlp?.server.close();
  });

  it('follows one webhook from the gateway through order and notification to the SMTP send', async () => {
    const sent = await pipeline.send(shop, ['--count', '1', '--topics', 'orders/create=1']);
    expect(sent.code).toBe(0);

    // The confirmation email's send span is the last link; its trace must hold the others. Every
    // send span is tried: the topics are shared, so an earlier suite's events can reach this
    // pipeline's consumers too, and their traces lack the gateway span of this process.
    const trace = await waitFor(
      () => {
        for (const send of otlp.spans) {
          if (send.service !== 'notification' || send.name !== 'smtp send') continue;
          const spans = otlp.spans.filter((s) => s.traceId === send.traceId);
          const has = (service: string, name: string) =>
            spans.some((s) => s.service === service && s.name === name);
          if (
            has('gateway', 'webhook receive') &&
            has('order', 'process shopify.orders.v1') &&
            has('notification', 'process orders.order.accepted.v1')
          )
            return spans;
        }
        return null;
      },
      {
        timeoutMs: 60_000,
        intervalMs: 250,
        what: () =>
          `one trace through every service; spans seen: ${[...new Set(otlp.spans.map((s) => `${s.service}:${s.name}`))].join(', ')}`,
      },
    );

    const ids = new Set(trace.map((s) => s.spanId));
    // One trace, one root: every span but the gateway's has its parent inside the trace.
    const roots = trace.filter((s) => !ids.has(s.parentSpanId));
    expect(roots.map((s) => `${s.service}:${s.name}`)).toEqual(['gateway:webhook receive']);
    expect(trace.some((s) => s.service === 'order' && s.name === 'order.apply')).toBe(true);
  }, 90_000);

  it.each([
    ['gateway', ['shopwire_http_requests_total', 'shopwire_webhook_ack_seconds']],
    [
      'order',
      [
        'shopwire_http_requests_total',
        'shopwire_consumer_lag_messages',
        'shopwire_consumer_handler_duration_seconds',
        'shopwire_outbox_pending',
        'shopwire_dead_letters_pending',
      ],
    ],
    ['inventory', ['shopwire_consumer_lag_messages', 'shopwire_dead_letters_pending']],
    [
      'notification',
      [
        'shopwire_consumer_lag_messages',
        'shopwire_circuit_breaker_state',
        'shopwire_dead_letters_pending',
      ],
    ],
    ['analytics', ['shopwire_consumer_lag_messages', 'shopwire_dead_letters_pending']],
    [
      'sync',
      [
        'shopwire_consumer_lag_messages',
        'shopwire_circuit_breaker_state',
        'shopwire_dead_letters_pending',
      ],
    ],
  ])('%s exposes its series on /metrics', async (service, series) => {
    const res = await fetch(`${pipeline.url(service)}/metrics`, {
      headers: { authorization: `Bearer ${PIPELINE_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    // The family is declared (a labelled gauge has no sample until its first value).
    const missing = series.filter((name) => !new RegExp(`^# TYPE ${name} `, 'm').test(text));
    expect(missing).toEqual([]);
  });
});
