import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Span,
} from '@opentelemetry/api';
import { briefError } from '@shopwire/kafka';
import {
  createBreaker,
  isBreakerOpenError,
  nextRetryDelay,
  parseRetryAfter,
  withTimeout,
  type Breaker,
} from '@shopwire/resilience';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { CALLBACK_SIGNATURE_HEADER, signCallback } from './callback-signature';
import type { JobRecord } from './job';
import type { JobMetrics } from './job.metrics';
import type { CallbackStore } from './callback-store';
import { callbackBody } from './job-view';

export interface CallbackSenderOptions {
  store: CallbackStore;
  /** `JOBS_CALLBACK_SECRET`; null when callbacks are not configured (none are accepted). */
  secret: string | null;
  logger: Logger;
  metrics: JobMetrics;
  registry?: Registry;
  /** Per attempt. */
  timeoutMs?: number;
  /** Attempts in all before the callback is marked failed. */
  maxAttempts?: number;
  /** Backoff between attempts: full jitter in [0, min(cap, base·2^(n-1))). */
  baseDelayMs?: number;
  capDelayMs?: number;
  pollIntervalMs?: number;
  fetch?: typeof fetch;
}

// The API only: the process running the sender chooses the SDK and where spans go.
const tracer = trace.getTracer('shopwire.jobs');

/** A non-2xx answer. Kept apart from network errors so the breaker can judge them. */
export class CallbackHttpError extends Error {
  override readonly name = 'CallbackHttpError';
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
  ) {
    super(`callback answered HTTP ${status}`);
  }
}

/**
 * Delivers completion callbacks from the job table: a finished job with a callback URL is
 * `pending` with a due time; every replica polls for due ones (claimed with a short lease so two
 * do not send the same one at once), POSTs the signed body, and records the outcome. Retries are
 * rows with a later due time, so they survive restarts. Delivery is at least once: receivers
 * should dedupe on the job id.
 */
export class CallbackSender {
  private timer: NodeJS.Timeout | null = null;
  private busy: Promise<void> | null = null;
  private readonly breakers = new Map<
    string,
    Breaker<[string, Buffer, Record<string, string>], number>
  >();

  constructor(private readonly options: CallbackSenderOptions) {}

  start(): void {
    this.timer ??= setInterval(() => {
      if (!this.busy) {
        this.busy = this.deliverDue()
          .then(() => undefined)
          .catch((error: unknown) => {
            this.options.logger.warn({ err: briefError(error) }, 'callback cycle failed');
          })
          .finally(() => {
            this.busy = null;
          });
      }
    }, this.options.pollIntervalMs ?? 1000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.busy;
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }

  /** One cycle: sends every due callback it could claim; returns how many were tried. */
  async deliverDue(): Promise<number> {
    const leaseMs = (this.options.timeoutMs ?? 5000) * 3;
    const due = await this.options.store.claimCallbacks(10, leaseMs);
    await Promise.all(due.map((job) => this.deliver(job)));
    return due.length;
  }

  private async deliver(job: JobRecord): Promise<void> {
    const { store, metrics, logger, secret } = this.options;
    const attempt = job.callbackAttempts + 1;
    if (!secret || !job.callbackUrl) {
      await store.recordCallback(job.id, {
        delivered: false,
        error: 'callbacks are not configured (JOBS_CALLBACK_SECRET)',
        retryInMs: null,
      });
      return;
    }
    const body = callbackBody(job);
    // One span per delivery attempt (a retry is a later row, possibly in another replica). The
    // receiver's URL is not recorded: a callback URL may carry a token in its path or query.
    const span = tracer.startSpan('job callback', {
      kind: SpanKind.CLIENT,
      attributes: {
        'shopwire.job.id': job.id,
        'shopwire.job.type': job.type,
        'shopwire.attempt': attempt,
        'http.request.method': 'POST',
        'server.address': new URL(job.callbackUrl).hostname,
      },
    });
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      [CALLBACK_SIGNATURE_HEADER]: signCallback(body, secret),
      'X-Shopwire-Job-Id': job.id,
      'X-Shopwire-Delivery-Attempt': String(attempt),
      'user-agent': 'shopwire-jobs',
    };
    // The receiver can continue the trace; the signature covers the body only, not headers.
    propagation.inject(trace.setSpan(context.active(), span), headers);
    let answered = false;
    try {
      const status = await this.breakerFor(job.callbackUrl).fire(job.callbackUrl, body, headers);
      answered = true;
      span.setAttribute('http.response.status_code', status);
      span.end();
      await store.recordCallback(job.id, { delivered: true });
      metrics.callbacks.inc({ type: job.type, result: 'delivered' });
      logger.info({ jobId: job.id, attempt }, 'job callback delivered');
    } catch (error) {
      // (once answered, the span has ended: a failure to record the outcome is not the call's)
      if (!answered) endFailed(span, error);
      if (isBreakerOpenError(error)) {
        // The receiver is known to be down: try later without spending an attempt.
        await store.postponeCallback(job.id, 5000);
        metrics.callbacks.inc({ type: job.type, result: 'postponed' });
        return;
      }
      metrics.callbackFailures.inc({ type: job.type });
      const retryInMs = nextRetryDelay(attempt, error, {
        attempts: this.options.maxAttempts ?? 10,
        baseMs: this.options.baseDelayMs ?? 1000,
        capMs: this.options.capDelayMs ?? 300_000,
        retryAfterMs: (e) =>
          e instanceof CallbackHttpError ? parseRetryAfter(e.retryAfter) : null,
        maxRetryAfterMs: this.options.capDelayMs ?? 300_000,
      });
      const brief = briefError(error);
      await store.recordCallback(job.id, {
        delivered: false,
        error: `${brief.type}: ${brief.message}`,
        retryInMs,
      });
      metrics.callbacks.inc({ type: job.type, result: retryInMs === null ? 'gave_up' : 'retry' });
      logger.warn(
        { jobId: job.id, attempt, err: brief, retryInMs },
        retryInMs === null ? 'job callback failed; giving up' : 'job callback failed; will retry',
      );
    }
  }

  /** One breaker per receiving origin: one receiver being down does not stop the others. */
  private breakerFor(url: string): Breaker<[string, Buffer, Record<string, string>], number> {
    const origin = new URL(url).origin;
    let breaker = this.breakers.get(origin);
    if (!breaker) {
      const timeoutMs = this.options.timeoutMs ?? 5000;
      breaker = createBreaker(
        (target: string, body: Buffer, headers: Record<string, string>) =>
          this.post(target, body, headers, timeoutMs),
        {
          name: `job-callback:${origin}`,
          // withTimeout below bounds each call; the breaker's own timeout is a backstop.
          timeoutMs: timeoutMs + 1000,
          // A 4xx (other than 408/429) is our request being refused, not the receiver failing.
          isNotAFault: (error) =>
            error instanceof CallbackHttpError &&
            error.status >= 400 &&
            error.status < 500 &&
            error.status !== 408 &&
            error.status !== 429,
          registry: this.options.registry,
        },
      );
      this.breakers.set(origin, breaker);
    }
    return breaker;
  }

  private async post(
    url: string,
    body: Buffer,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<number> {
    const doFetch = this.options.fetch ?? fetch;
    return withTimeout(timeoutMs, 'job callback', async (signal) => {
      // A redirect is a failure, not something to follow with a signed body.
      const response = await doFetch(url, {
        method: 'POST',
        body,
        headers,
        signal,
        redirect: 'manual',
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status < 200 || response.status >= 300) {
        throw new CallbackHttpError(response.status, response.headers.get('retry-after'));
      }
      return response.status;
    });
  }
}

/** A failed delivery on its span: the status or error kind, never the receiver's body. */
function endFailed(span: Span, error: unknown): void {
  const type = isBreakerOpenError(error)
    ? 'breaker_open'
    : error instanceof CallbackHttpError
      ? String(error.status)
      : briefError(error).type;
  if (error instanceof CallbackHttpError)
    span.setAttribute('http.response.status_code', error.status);
  span.setAttribute('error.type', type);
  const message = isBreakerOpenError(error)
    ? 'receiver breaker open'
    : `${briefError(error).type}: ${briefError(error).message}`;
  span.recordException({ name: (error as Error)?.name ?? 'Error', message });
  span.setStatus({ code: SpanStatusCode.ERROR, message });
  span.end();
}
