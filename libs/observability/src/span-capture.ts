import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

export type { ReadableSpan };

/** Spans a test has captured in memory. */
export interface SpanCapture {
  /** Every span ended since the start (or the last `reset`), in the order they ended. */
  spans(): ReadableSpan[];
  /** The ended spans called `name`. */
  named(name: string): ReadableSpan[];
  reset(): void;
  stop(): Promise<void>;
}

/**
 * For tests: the same SDK set-up as `startTracing` (W3C propagator, AsyncLocalStorage context),
 * but each span is kept in memory as it ends instead of exported, so a test can assert on names,
 * parents and attributes of the spans the code under test made. One per test file (the tracer
 * provider is process-global).
 */
export function startSpanCapture(serviceName = 'test'): SpanCapture {
  const exporter = new InMemorySpanExporter();
  const sdk = new NodeSDK({
    serviceName,
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    instrumentations: [],
  });
  sdk.start();
  return {
    spans: () => exporter.getFinishedSpans(),
    named: (name) => exporter.getFinishedSpans().filter((s) => s.name === name),
    reset: () => exporter.reset(),
    stop: () => sdk.shutdown(),
  };
}
