import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import {
  context,
  injectTraceHeaders,
  SpanKind,
  SpanStatusCode,
  trace,
  tracer,
  type Context,
  type Span,
  type TraceCarrier,
} from '@shopwire/observability';
import type { BreakerGuard } from '@shopwire/outbound-delivery';
import {
  isBreakerOpenError,
  parseRetryAfter,
  retry,
  RetriesExhaustedError,
} from '@shopwire/resilience';
import { Agent, request } from 'undici';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';

/** A call the ERP answered with something other than 2xx. */
export class ErpHttpError extends Error {
  override readonly name = 'ErpHttpError';
  constructor(
    readonly status: number,
    /** From Retry-After, in ms; null when not sent. */
    readonly retryAfterMs: number | null,
  ) {
    super(`ERP answered ${status}`);
  }

  /** 429 and 5xx may pass; another 4xx is our request's fault and will not. */
  get permanent(): boolean {
    return this.status !== 429 && this.status < 500;
  }
}

/** The error that ended a call, unwrapped from the retry. */
export function rootError(error: unknown): unknown {
  return error instanceof RetriesExhaustedError ? error.cause : error;
}

export function erpErrorSummary(error: unknown): string {
  const root = rootError(error);
  if (isBreakerOpenError(root)) return 'erp breaker open';
  if (root instanceof ErpHttpError) return root.message;
  const e = root as { code?: unknown; message?: unknown };
  return [e?.code, String(e?.message ?? root).slice(0, 200)].filter(Boolean).join(': ');
}

/** Short and low-cardinality, for a span's `error.type`: the status, the error code, or the breaker. */
function erpErrorType(error: unknown): string {
  const root = rootError(error);
  if (isBreakerOpenError(root)) return 'breaker_open';
  if (root instanceof ErpHttpError) return String(root.status);
  const e = root as { code?: unknown; name?: unknown };
  return typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error';
}

export interface ErpCall {
  url: string;
  idempotencyKey: string;
  body: unknown;
  /** The shop the call is for; recorded on the call's span. */
  shopDomain: string;
  /** What the call does, for the span: mirror an order, or forward a redaction. */
  kind: 'order' | 'redact';
  /**
   * The trace the call belongs to: the context stored with the order or job when the event that
   * asked for it was consumed. Without one the call starts a trace of its own.
   */
  parent?: Context;
}

/** One attempt as the breaker sends it: the call plus its `traceparent` headers. */
interface ErpAttempt extends ErpCall {
  traceHeaders: TraceCarrier;
}

const spans = tracer('sync');

/**
 * The ERP over HTTP (undici, with connect/headers/body timeouts): every attempt through the `erp`
 * breaker the caller passes in (the worker's, see `erp-sync.worker.ts`), a few attempts with
 * backoff and full jitter, waiting at least the Retry-After a 429 or 503 asked for (seconds,
 * fractional allowed). A 429 is flow control, not a fault: it does not open the breaker. Another
 * 4xx is permanent and not retried.
 */
@Injectable()
export class ErpClient implements OnApplicationShutdown {
  private readonly agent: Agent;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: SyncConfig) {
    this.agent = new Agent({
      connect: { timeout: config.ERP_TIMEOUT_MS },
      headersTimeout: config.ERP_TIMEOUT_MS,
      bodyTimeout: config.ERP_TIMEOUT_MS,
      connections: 16,
    });
  }

  /**
   * Resolves with the ERP's status (2xx); rejects after the attempts with the last error. A
   * breaker-open refusal is the error only when the ERP was never asked: if it was asked and
   * failed and the breaker then opened before the next attempt, the ERP's failure is what the
   * caller hears — the order was tried (a failed attempt with backoff), not merely refused.
   *
   * One `erp call` CLIENT span covers the logical call, its attempts and the backoff between
   * them (each failed attempt is an event on it), so a trace shows one ERP call per order however
   * often it had to be sent. Every attempt carries that span's `traceparent`: the ERP can hang
   * its own spans under it.
   */
  async call(call: ErpCall, guard: BreakerGuard): Promise<number> {
    const target = new URL(call.url);
    const span = spans.startSpan(
      'erp call',
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'shopify.shop_domain': call.shopDomain,
          'shopwire.erp.kind': call.kind,
          'http.request.method': 'POST',
          // The host only: a partner's URL may carry a credential in its path or query.
          'server.address': target.hostname,
        },
      },
      call.parent ?? context.active(),
    );
    const attempt: ErpAttempt = {
      ...call,
      traceHeaders: injectTraceHeaders({}, trace.setSpan(call.parent ?? context.active(), span)),
    };
    let sent = 0;
    let lastAnswer: unknown = null;
    try {
      const status = await retry(
        async () => {
          try {
            const answered = await guard(() => this.post(attempt));
            sent++;
            return answered;
          } catch (error) {
            if (!isBreakerOpenError(error)) {
              sent++;
              lastAnswer = error;
              span.addEvent('erp attempt failed', {
                'shopwire.attempt': sent,
                'error.type': erpErrorType(error),
              });
            }
            throw error;
          }
        },
        {
          attempts: this.config.ERP_ATTEMPTS,
          baseMs: this.config.ERP_RETRY_BASE_MS,
          capMs: this.config.ERP_RETRY_BASE_MS * 16,
          maxRetryAfterMs: this.config.ERP_MAX_RETRY_AFTER_MS,
          retryable: (error) =>
            !isBreakerOpenError(error) && !(error instanceof ErpHttpError && error.permanent),
          retryAfterMs: (error) => (error instanceof ErpHttpError ? error.retryAfterMs : null),
        },
      );
      span.setAttribute('http.response.status_code', status);
      return status;
    } catch (error) {
      const heard =
        lastAnswer !== null && isBreakerOpenError(rootError(error)) ? lastAnswer : error;
      markFailed(span, heard);
      throw heard;
    } finally {
      span.setAttribute('shopwire.retry_count', Math.max(0, sent - 1));
      span.end();
    }
  }

  private async post(call: ErpAttempt): Promise<number> {
    const response = await request(call.url, {
      method: 'POST',
      dispatcher: this.agent,
      headers: {
        'content-type': 'application/json',
        // Stable per order: the ERP drops a repeat (a retry, or a resend after a crash).
        'idempotency-key': call.idempotencyKey,
        ...call.traceHeaders,
      },
      body: JSON.stringify(call.body),
    });
    // Always drain the body so the connection returns to the pool.
    await response.body.dump();
    if (response.statusCode >= 200 && response.statusCode < 300) return response.statusCode;
    const retryAfter = response.headers['retry-after'];
    throw new ErpHttpError(
      response.statusCode,
      parseRetryAfter(
        typeof retryAfter === 'string' || Array.isArray(retryAfter) ? retryAfter : null,
      ),
    );
  }

  /** After every onModuleDestroy: the worker's last pass has finished by then. */
  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}

/** The call's outcome on its span: the error (summarised, no payload) and an error status. */
function markFailed(span: Span, error: unknown): void {
  const root = rootError(error);
  const summary = erpErrorSummary(error);
  if (root instanceof ErpHttpError) span.setAttribute('http.response.status_code', root.status);
  span.setAttribute('error.type', erpErrorType(error));
  span.recordException({ name: (root as Error)?.name ?? 'Error', message: summary });
  span.setStatus({ code: SpanStatusCode.ERROR, message: summary });
}
