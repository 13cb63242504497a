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
    mixin: traceCorrelation,
  };
  return destination ? pino(options, destination) : pino(options);
}

/**
 * `trace_id`, `span_id` and `trace_flags` of the span active where the line is written (the
 * field names of OpenTelemetry's log data model in JSON), so a log line leads to its trace and a
 * trace to its lines. Lines written outside any span carry none. Read per line from
 * `@opentelemetry/api`'s context (AsyncLocalStorage), which costs a map lookup.
 */
function traceCorrelation(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return {};
  return {
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
