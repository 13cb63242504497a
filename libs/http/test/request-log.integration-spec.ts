import {
  Controller,
  Get,
  Headers,
  Inject,
  InternalServerErrorException,
  Module,
  Param,
} from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  createLogger,
  createMetricsRegistry,
  NestPinoLogger,
  startSpanCapture,
  tracer,
  type Logger,
  type SpanCapture,
} from '@shopwire/observability';
import { createHttpApp, METRICS_REGISTRY, MetricsController } from '../src';

/**
 * Boots a service's HTTP surface as every app does (`createHttpApp` with a `NestPinoLogger`)
 * around a small controller, sends real requests over loopback and reads the JSON lines the
 * process would have written to stdout.
 */
const LOGGER = Symbol('logger');
const SECRET_TOKEN = 'Bearer sk-request-log-secret-0001';
const COOKIE = 'shopwire_session=cookie-value-0001';
const HMAC = 'hmac-value-0001==';
const EMAIL = 'alice.request-log@example.com';

@Controller('things')
class ThingsController {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  /** Logs inside a span it makes active, and once more with the request's headers. */
  @Get(':id')
  get(@Param('id') id: string, @Headers() headers: Record<string, string>): { id: string } {
    tracer('request-log-test').startActiveSpan('things.get', (span) => {
      this.logger.info({ thing: id }, 'inside the span');
      span.end();
    });
    // A careless call: the redaction list is what keeps the secrets out.
    this.logger.warn({ headers }, 'headers of the request');
    return { id };
  }

  /** Logs after awaiting, as a handler that calls a database would. */
  @Get(':id/slow')
  async slow(@Param('id') id: string): Promise<{ id: string }> {
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 50));
    this.logger.info({ thing: id }, 'after the wait');
    return { id };
  }

  @Get(':id/fail')
  fail(): never {
    throw new InternalServerErrorException('it broke');
  }
}

type Line = Record<string, unknown> & { msg?: string };

describe('request logs: one access line per request, trace ids on lines inside a span', () => {
  let spans: SpanCapture;
  let app: NestFastifyApplication;
  let base: string;
  const raw: string[] = [];
  const lines = (): Line[] => raw.map((line) => JSON.parse(line) as Line);

  beforeAll(async () => {
    spans = startSpanCapture('request-log-test');
    const logger = createLogger('request-log-test', 'info', {
      write: (line: string) => {
        raw.push(line);
      },
    });
    @Module({
      controllers: [ThingsController, MetricsController],
      providers: [
        { provide: LOGGER, useValue: logger },
        { provide: METRICS_REGISTRY, useValue: createMetricsRegistry('request-log-test') },
      ],
    })
    class ThingsModule {}
    app = await createHttpApp(ThingsModule, {
      title: 'request log test',
      description: 'test',
      logger: new NestPinoLogger(logger),
    });
    await app.listen(0, '127.0.0.1');
    base = await app.getUrl();
  });

  afterAll(async () => {
    await app?.close();
    await spans?.stop();
  });

  beforeEach(() => {
    raw.length = 0;
    spans.reset();
  });

  /** The access line of a request id; it is written once the response has been sent. */
  async function accessLine(requestId: string): Promise<Line> {
    const deadline = Date.now() + 5_000;
    for (;;) {
      const found = lines().filter(
        (l) => l.request_id === requestId && l.msg === 'request completed',
      );
      if (found.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(
          lines().filter((l) => l.request_id === requestId && l.msg === 'request completed'),
        ).toHaveLength(1);
        return found[0]!;
      }
      if (Date.now() > deadline)
        throw new Error(`no access line for ${requestId}: ${raw.join('')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('logs the route pattern, status, duration and the caller’s request id, echoed back', async () => {
    const response = await fetch(`${base}/things/4711?email=${encodeURIComponent(EMAIL)}`, {
      headers: {
        authorization: SECRET_TOKEN,
        cookie: COOKIE,
        'x-shopify-hmac-sha256': HMAC,
        'x-request-id': 'req-0f3a9c2e-request-log',
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-0f3a9c2e-request-log');

    const access = await accessLine('req-0f3a9c2e-request-log');
    expect(access).toMatchObject({
      level: 'info',
      service: 'request-log-test',
      method: 'GET',
      route: '/things/:id',
      status: 200,
    });
    expect(typeof access.duration_ms).toBe('number');
    expect(access.duration_ms as number).toBeGreaterThanOrEqual(0);
    // Only what is listed: no URL, query string, headers or body.
    expect(Object.keys(access).sort()).toEqual(
      [
        'duration_ms',
        'level',
        'method',
        'msg',
        'request_id',
        'route',
        'service',
        'status',
        'time',
      ].sort(),
    );
  });

  it('puts the active span’s trace_id and span_id on lines written inside it, and only there', async () => {
    const response = await fetch(`${base}/things/42`, {
      headers: { 'x-request-id': 'req-trace-1' },
    });
    expect(response.status).toBe(200);
    await accessLine('req-trace-1');

    const [span] = spans.named('things.get');
    expect(span).toBeDefined();
    const inside = lines().find((l) => l.msg === 'inside the span');
    expect(inside).toMatchObject({
      thing: '42',
      trace_id: span!.spanContext().traceId,
      span_id: span!.spanContext().spanId,
      trace_flags: '01',
    });
    expect(inside!.trace_id).toMatch(/^[0-9a-f]{32}$/);
    // The service's own logger names the request too: request id and trace id meet here.
    expect(inside!.request_id).toBe('req-trace-1');
    const outside = lines().filter((l) => l.msg !== 'inside the span');
    expect(outside.length).toBeGreaterThan(0);
    for (const line of outside) {
      expect(line.trace_id).toBeUndefined();
      expect(line.span_id).toBeUndefined();
    }
  });

  it('names the right request on lines written after an await, with many requests at once', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => String(i));
    await Promise.all(
      ids.map((id) =>
        fetch(`${base}/things/${id}/slow`, { headers: { 'x-request-id': `req-concurrent-${id}` } }),
      ),
    );
    await Promise.all(ids.map((id) => accessLine(`req-concurrent-${id}`)));
    const after = lines().filter((l) => l.msg === 'after the wait');
    expect(after).toHaveLength(ids.length);
    for (const line of after) expect(line.request_id).toBe(`req-concurrent-${String(line.thing)}`);
    // Lines outside any request carry none.
    const outside = createLogger('request-log-test', 'info', {
      write: (l: string) => void raw.push(l),
    });
    outside.info('not in a request');
    expect(lines().find((l) => l.msg === 'not in a request')?.request_id).toBeUndefined();
  });

  it('never writes the authorization header, cookies, the HMAC or the query string', async () => {
    await fetch(`${base}/things/7?email=${encodeURIComponent(EMAIL)}&token=query-token-0001`, {
      headers: {
        authorization: SECRET_TOKEN,
        cookie: COOKIE,
        'x-shopify-hmac-sha256': HMAC,
        'x-request-id': 'req-secrets',
      },
    });
    await accessLine('req-secrets');
    const text = raw.join('');
    // The handler did log its headers: they are there, redacted.
    const headers = lines().find((l) => l.msg === 'headers of the request')!.headers as Record<
      string,
      string
    >;
    expect(headers.authorization).toBe('[redacted]');
    expect(headers.cookie).toBe('[redacted]');
    expect(headers['x-shopify-hmac-sha256']).toBe('[redacted]');
    for (const secret of [
      'sk-request-log-secret-0001',
      'cookie-value-0001',
      HMAC,
      EMAIL,
      'query-token-0001',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).not.toContain('alice.request-log');
  });

  it('replaces a malformed request id with a generated one, and generates one when none is sent', async () => {
    const malformed = await fetch(`${base}/things/1`, {
      headers: { 'x-request-id': 'spaces and "quotes" are not an id' },
    });
    const generated = malformed.headers.get('x-request-id')!;
    expect(generated).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect((await accessLine(generated)).request_id).toBe(generated);
    expect(lines().filter((l) => JSON.stringify(l.request_id ?? '').includes('quotes'))).toEqual(
      [],
    );

    const tooLong = await fetch(`${base}/things/1`, {
      headers: { 'x-request-id': 'a'.repeat(129) },
    });
    expect(tooLong.headers.get('x-request-id')).not.toBe('a'.repeat(129));

    const none = await fetch(`${base}/things/1`);
    const id = none.headers.get('x-request-id')!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(id).not.toBe(generated);
    await accessLine(id);
  });

  it('logs an unmatched URL as "unmatched" and a failed request with its status', async () => {
    const missing = await fetch(`${base}/no/such/path?email=${encodeURIComponent(EMAIL)}`, {
      headers: { 'x-request-id': 'req-404' },
    });
    expect(missing.status).toBe(404);
    expect(await accessLine('req-404')).toMatchObject({ route: 'unmatched', status: 404 });

    const failed = await fetch(`${base}/things/9/fail`, { headers: { 'x-request-id': 'req-500' } });
    expect(failed.status).toBe(500);
    expect(await accessLine('req-500')).toMatchObject({ route: '/things/:id/fail', status: 500 });
    const text = raw.join('');
    expect(text).not.toContain('/no/such/path');
    expect(text).not.toContain(EMAIL);
  });
});
