import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { runSchemaMigrations } from '@shopwire/database';
import { startSpanCapture, type SpanCapture } from '@shopwire/observability';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import {
  CALLBACK_SIGNATURE_HEADER,
  CallbackDestinationGuard,
  CallbackSender,
  CallbackStore,
  JobStore,
  verifyCallback,
} from '../src';
import { logger, testDataSource } from './fixtures/runtime';

// The completion callback's span, captured in memory: real Postgres (a schema of this run's own)
// and a real HTTP receiver. The sender is driven one cycle at a time, so each delivery attempt is
// one known span.
const run = randomUUID().slice(0, 8);
const SCHEMA = `jobs_trace_it_${run}`;
const SECRET = 'jobs-trace-it-callback-secret-0123456789';
const URL_TOKEN = 'receiver-secret-path-token';

let capture: SpanCapture;
let db: DataSource;
let store: JobStore;
let server: Server;
let url: string;
const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];

beforeAll(async () => {
  capture = startSpanCapture('jobs-test');
  db = testDataSource(SCHEMA);
  await db.initialize();
  await runSchemaMigrations(db);
  store = new JobStore(db, `shopwire.jobs.trace-it-${run}.v1`);
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: Buffer.concat(chunks) });
      // The first delivery fails, the next is accepted.
      response.statusCode = received.length === 1 ? 500 : 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/${URL_TOKEN}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
  await db.destroy();
  await capture.stop();
});

describe('job callback spans', () => {
  it('makes one CLIENT span per delivery attempt, sends its traceparent, and marks a failed one', async () => {
    const job = await store.submit({
      type: 'report',
      params: { items: 1 },
      callbackUrl: url,
      maxAttempts: 1,
    });
    // Finished, with its callback due (as the worker leaves it).
    await db.query(
      `UPDATE "${SCHEMA}".jobs SET status = 'succeeded', finished_at = now(),
         result = '{"contentType":"text/plain","filename":null,"size":0,"summary":null}',
         callback_status = 'pending', callback_next_at = now()
       WHERE id = $1`,
      [job.id],
    );
    const sender = new CallbackSender({
      store: new CallbackStore(db),
      secret: SECRET,
      logger,
      baseDelayMs: 1,
      capDelayMs: 1,
      destination: new CallbackDestinationGuard({
        httpsOnly: false,
        allowLoopback: true,
        allowedHosts: null,
      }),
    });
    try {
      expect(await sender.deliverDue()).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 20)); // the retry's 1 ms delay
      expect(await sender.deliverDue()).toBe(1);
    } finally {
      await sender.stop();
    }
    expect((await store.get(job.id))?.callbackStatus).toBe('delivered');

    const spans = capture.named('job callback');
    expect(spans).toHaveLength(2);
    const [failed, delivered] = spans;
    for (const [span, attempt] of [
      [failed, 1],
      [delivered, 2],
    ] as const) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toMatchObject({
        'shopwire.job.id': job.id,
        'shopwire.job.type': 'report',
        'shopwire.attempt': attempt,
        'http.request.method': 'POST',
        'server.address': '127.0.0.1',
      });
      // Each attempt's request carries its own span as the parent for the receiver.
      const { traceId, spanId } = span.spanContext();
      expect(received[attempt - 1].headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
      // Neither the URL's token nor the signature lands on a span.
      const exported = JSON.stringify({ a: span.attributes, e: span.events, s: span.status });
      expect(exported).not.toContain(URL_TOKEN);
      expect(exported).not.toContain(
        received[attempt - 1].headers[CALLBACK_SIGNATURE_HEADER.toLowerCase()] as string,
      );
    }
    expect(failed.status).toEqual({
      code: SpanStatusCode.ERROR,
      message: 'CallbackHttpError: callback answered HTTP 500',
    });
    expect(failed.attributes).toMatchObject({
      'http.response.status_code': 500,
      'error.type': '500',
    });
    expect(failed.events.map((e) => e.name)).toEqual(['exception']);
    expect(delivered.status.code).toBe(SpanStatusCode.UNSET);
    expect(delivered.attributes['http.response.status_code']).toBe(204);
    // The trace header does not disturb the signature: it covers the body bytes only.
    const accepted = received[1];
    const signature = accepted.headers[CALLBACK_SIGNATURE_HEADER.toLowerCase()] as string;
    expect(verifyCallback(accepted.body, signature, SECRET)).toBe(true);
  });
});
