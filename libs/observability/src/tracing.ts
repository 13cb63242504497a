import {
  context,
  propagation,
  trace,
  type Context,
  type Span,
  SpanKind,
  SpanStatusCode,
} from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';

let sdk: NodeSDK | undefined;

/**
 * Starts OpenTelemetry for this process. Called first in every `main.ts`, before Nest loads, so
 * that the tracer provider and the W3C propagator are in place for the first request. Spans are
 * exported over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set; without it the SDK still
 * creates and propagates trace context (so `traceparent` flows through Kafka) but exports nothing.
 * Automatic instrumentation is left off on purpose: the gateway's hot path is measured in
 * microseconds, and the spans that matter are created explicitly.
 */
export function startTracing(serviceName: string): void {
  if (sdk || process.env.OTEL_SDK_DISABLED === 'true') return;
  const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  sdk = new NodeSDK({
    serviceName,
    // Without an endpoint a no-op processor still makes the SDK register its tracer provider and
    // propagator (so trace context flows through Kafka headers) while sending nothing anywhere.
    spanProcessors: [
      endpoint ? new BatchSpanProcessor(new OTLPTraceExporter()) : new NoopSpanProcessor(),
    ],
    instrumentations: [],
  });
  sdk.start();
}

export async function stopTracing(): Promise<void> {
  await sdk?.shutdown();
  sdk = undefined;
}

export type TraceCarrier = Record<string, string>;

/** Writes the active (or given) context's `traceparent`/`tracestate` into Kafka message headers. */
export function injectTraceHeaders(
  headers: TraceCarrier,
  ctx: Context = context.active(),
): TraceCarrier {
  propagation.inject(ctx, headers);
  return headers;
}

/** The trace context carried in a Kafka message's headers, to parent the consumer's span. */
export function extractTraceContext(
  headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined,
): Context {
  const carrier: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) carrier[name] = first.toString();
  }
  return propagation.extract(context.active(), carrier);
}

export function tracer(name: string) {
  return trace.getTracer(name);
}

export { context, propagation, trace, SpanKind, SpanStatusCode, type Context, type Span };
