import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { isBreakerOpenError, RetriesExhaustedError } from '@shopwire/resilience';
import { Kind, parse } from 'graphql';
import type { AdminApi } from './admin-metrics';
import type { Priority } from './budget/redis-budget';
import { isShopifyAdminError } from './errors';

// The API only: the process that uses this client chooses (or not) an SDK and an exporter.
const tracer = trace.getTracer('shopwire.shopify-admin');

/**
 * One CLIENT span per logical Admin API call (`shopify graphql`, `shopify rest`), not one per
 * HTTP attempt: a call may wait for budget, be throttled and retried several times, and what a
 * reader of the webhook's trace needs is "this call took 4 s because it was throttled twice",
 * not six sibling spans. Each failed attempt is an event on the span (its code, HTTP status,
 * budget wait); the span carries the outcome (status, costs, retries, whether any attempt was
 * throttled). Variables, bodies, query strings and the access token are never recorded.
 * No `traceparent` is sent to Shopify: it does not continue an app's traces, so the header
 * would only hand our trace ids to a third party.
 */
export class AdminCallTrace {
  private attempts = 0;
  private throttledAttempts = 0;
  private budgetWaitMs = 0;

  private constructor(private readonly span: Span) {}

  static start(
    api: AdminApi,
    shop: string,
    method: string,
    operation: { name: string; type?: string },
    priority: Priority,
  ): AdminCallTrace {
    return new AdminCallTrace(
      tracer.startSpan(`shopify ${api}`, {
        kind: SpanKind.CLIENT,
        attributes: {
          'shopify.shop_domain': shop,
          'shopify.api': api,
          'shopify.operation': operation.name,
          ...(operation.type ? { 'graphql.operation.type': operation.type } : {}),
          'shopify.priority': priority,
          'http.request.method': method,
        },
      }),
    );
  }

  /** Runs one attempt; a failed one becomes an event on the span. */
  async attempt<T>(run: () => Promise<T>): Promise<T> {
    this.attempts++;
    try {
      return await run();
    } catch (error) {
      const code = errorType(error);
      if (code === 'THROTTLED' || code === 'RATE_LIMITED') this.throttledAttempts++;
      const status = statusOf(error);
      this.span.addEvent('shopify attempt failed', {
        'shopwire.attempt': this.attempts,
        'error.type': code,
        ...(status === undefined ? {} : { 'http.response.status_code': status }),
      });
      throw error;
    }
  }

  /** The budget admitted an attempt after `waitedMs` (the wait counts towards the span). */
  admitted(waitedMs: number, predictedCost?: number): void {
    this.budgetWaitMs += waitedMs;
    if (predictedCost !== undefined)
      this.span.setAttribute('shopify.cost.predicted', predictedCost);
  }

  /** Settles the span with the call's outcome and ends it; resolves or rejects as `call` does. */
  async around<T>(
    call: Promise<T>,
    answer: (value: T) => {
      status: number;
      cost?: { requestedQueryCost: number; actualQueryCost: number | null } | null;
    },
  ): Promise<T> {
    try {
      const value = await call;
      const { status, cost } = answer(value);
      this.span.setAttribute('http.response.status_code', status);
      if (cost) {
        this.span.setAttribute('shopify.cost.requested', cost.requestedQueryCost);
        if (cost.actualQueryCost !== null)
          this.span.setAttribute('shopify.cost.actual', cost.actualQueryCost);
      }
      return value;
    } catch (thrown) {
      // After the last attempt the retry wraps what ended it; the span reports that.
      const error = thrown instanceof RetriesExhaustedError ? thrown.cause : thrown;
      const status = statusOf(error);
      if (status !== undefined) this.span.setAttribute('http.response.status_code', status);
      const type = errorType(error);
      this.span.setAttribute('error.type', type);
      // The code and status only: a GraphQL error message can quote the variables it refused.
      const summary = status === undefined ? type : `${type} (HTTP ${status})`;
      this.span.recordException({ name: (error as Error)?.name ?? 'Error', message: summary });
      this.span.setStatus({ code: SpanStatusCode.ERROR, message: summary });
      throw thrown;
    } finally {
      this.span.setAttributes({
        'shopwire.retry_count': Math.max(0, this.attempts - 1),
        'shopify.throttled': this.throttledAttempts > 0,
        'shopify.throttled_attempts': this.throttledAttempts,
        'shopify.budget_wait_ms': Math.round(this.budgetWaitMs),
      });
      this.span.end();
    }
  }
}

/**
 * The download of a bulk operation's JSONL result: one CLIENT span `shopify bulk download` from
 * the request to the last line read (the file streams while the caller consumes it), attempts as
 * events, the number of lines on the span. The URL is signed: only its host is recorded.
 */
export class BulkDownloadTrace {
  private attempts = 0;
  private lines = 0;

  private constructor(private readonly span: Span) {}

  static start(url: string, shop: string | undefined): BulkDownloadTrace {
    return new BulkDownloadTrace(
      tracer.startSpan('shopify bulk download', {
        kind: SpanKind.CLIENT,
        attributes: {
          ...(shop ? { 'shopify.shop_domain': shop } : {}),
          'http.request.method': 'GET',
          'server.address': new URL(url).hostname,
        },
      }),
    );
  }

  async attempt<T>(run: () => Promise<T>): Promise<T> {
    this.attempts++;
    try {
      return await run();
    } catch (error) {
      const status = statusOf(error);
      this.span.addEvent('shopify attempt failed', {
        'shopwire.attempt': this.attempts,
        'error.type': errorType(error),
        ...(status === undefined ? {} : { 'http.response.status_code': status }),
      });
      throw error;
    }
  }

  answered(status: number): void {
    this.span.setAttribute('http.response.status_code', status);
  }

  line(): void {
    this.lines++;
  }

  failed(thrown: unknown): void {
    const error = thrown instanceof RetriesExhaustedError ? thrown.cause : thrown;
    const status = statusOf(error);
    if (status !== undefined) this.span.setAttribute('http.response.status_code', status);
    const type = errorType(error);
    const summary = status === undefined ? type : `${type} (HTTP ${status})`;
    this.span.setAttribute('error.type', type);
    this.span.recordException({ name: (error as Error)?.name ?? 'Error', message: summary });
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: summary });
  }

  end(): void {
    this.span.setAttributes({
      'shopwire.retry_count': Math.max(0, this.attempts - 1),
      'shopify.bulk.lines': this.lines,
    });
    this.span.end();
  }
}

function errorType(error: unknown): string {
  if (isBreakerOpenError(error)) return 'breaker_open';
  if (isShopifyAdminError(error)) return error.code;
  return (error as Error)?.name ?? 'Error';
}

/** The HTTP status of a failed attempt: THROTTLED and GraphQL errors come in HTTP 200 replies. */
function statusOf(error: unknown): number | undefined {
  if (!isShopifyAdminError(error)) return undefined;
  if (error.status !== undefined) return error.status;
  return ['THROTTLED', 'MAX_COST_EXCEEDED', 'GRAPHQL'].includes(error.code) ? 200 : undefined;
}

const OPERATIONS_KEPT = 1000;
const operations = new Map<string, { name: string; type: string }>();

/**
 * The operation's name (`query Page …` → `Page`), or its root fields for an anonymous one
 * (`{ products(first: 5) … }` → `products`), and its type. Parsed once per query text.
 */
export function graphqlOperation(query: string): { name: string; type: string } {
  const known = operations.get(query);
  if (known) return known;
  let found = { name: 'unknown', type: 'query' };
  try {
    const operation = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    if (operation?.kind === Kind.OPERATION_DEFINITION) {
      const roots = operation.selectionSet.selections.flatMap((s) =>
        s.kind === Kind.FIELD ? [s.name.value] : [],
      );
      found = {
        name: operation.name?.value ?? (roots.slice(0, 3).join(',') || 'unknown'),
        type: operation.operation,
      };
    }
  } catch {
    // the cost predictor reports a query that does not parse; the span just says 'unknown'
  }
  if (operations.size >= OPERATIONS_KEPT) operations.clear();
  operations.set(query, found);
  return found;
}

/** `GET products/{id}.json`: the path with its ids folded, so span attributes stay few. */
export function restOperation(method: string, path: string): string {
  return `${method} ${path.replace(/^\//, '').replace(/\d+/g, '{id}')}`;
}
