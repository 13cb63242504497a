import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger } from 'pino';

/**
 * JSON logs on stdout. Shopify payloads hold customer data, so nothing here logs a body; the
 * redaction list is a second line of defence for secrets and personal fields that might still
 * reach a log call through an error object or a header map.
 */
const REDACT = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'headers["x-shopify-hmac-sha256"]',
  'headers["shopify-hmac-sha256"]',
  'headers["x-shopify-access-token"]',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers["x-shopify-hmac-sha256"]',
  '*.headers["shopify-hmac-sha256"]',
  '*.headers["x-shopify-access-token"]',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.secret',
  '*.secrets',
  '*.password',
  '*.token',
  '*.email',
  '*.phone',
  '*.first_name',
  '*.last_name',
  '*.address1',
  '*.payload',
  '*.body',
];

/** `destination` is stdout unless a test captures the lines. */
export function createLogger(
  service: string,
  level = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin: correlation,
  };
  return destination ? pino(options, destination) : pino(options);
}

const logFields = new AsyncLocalStorage<Readonly<Record<string, string>>>();

/**
 * Runs `fn` with `fields` on every log line written in it and in all it starts asynchronously,
 * through any logger `createLogger` made — e.g. an HTTP request's `request_id` (libs/http), so a
 * service's own lines during a request name the request without a logger being passed around.
 * Fields given to a log call win over these.
 */
export function withLogFields<T>(fields: Readonly<Record<string, string>>, fn: () => T): T {
  const outer = logFields.getStore();
  return logFields.run(outer ? { ...outer, ...fields } : fields, fn);
}

/**
 * Added to every line: the fields of `withLogFields`, and `trace_id`, `span_id` and
 * `trace_flags` of the span active where the line is written (the field names of
 * OpenTelemetry's log data model in JSON), so a log line leads to its trace and a trace to its
 * lines. Lines written outside any span carry no trace fields. Both are read per line from
 * AsyncLocalStorage (`@opentelemetry/api`'s context for the span), a map lookup each.
 */
function correlation(): Record<string, string> {
  const fields = logFields.getStore();
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return fields ? { ...fields } : {};
  return {
    ...fields,
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: spanContext.traceFlags.toString(16).padStart(2, '0'),
  };
}

/** Nest's logger interface over pino, so framework messages come out as the same JSON lines. */
export class NestPinoLogger implements LoggerService {
  /** `logger` is also the one `createHttpApp` hands Fastify for the access log. */
  constructor(readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}

export type { Logger };
