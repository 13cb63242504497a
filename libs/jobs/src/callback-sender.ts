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
  BreakerRegistry,
  isBreakerOpenError,
  nextRetryDelay,
  parseRetryAfter,
  withTimeout,
} from '@shopwire/resilience';
import type { LookupFunction } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Agent, request } from 'undici';
import {
  CallbackDestinationGuard,
  CallbackDestinationRefused,
  type ResolvedAddress,
} from './callback-destination';
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
  /**
   * Where callbacks may go; checked again at every delivery, after the lookup, and the
   * connection pinned to the address judged. Default: public unicast addresses only, http(s).
   */
  destination?: CallbackDestinationGuard;
  /** Receiving origins with a breaker kept at once (least recently used out). */
  maxBreakers?: number;
}

type PostArgs = [URL, ResolvedAddress, Buffer, Record<string, string>];

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
  private readonly breakers: BreakerRegistry<PostArgs, number>;
  private readonly destination: CallbackDestinationGuard;

  constructor(private readonly options: CallbackSenderOptions) {
    this.destination =
      options.destination ??
      new CallbackDestinationGuard({ httpsOnly: false, allowLoopback: false, allowedHosts: null });
    const timeoutMs = options.timeoutMs ?? 5000;
    this.breakers = new BreakerRegistry<PostArgs, number>({
      max: options.maxBreakers ?? 1000,
      action: (url, address, body, headers) => this.post(url, address, body, headers, timeoutMs),
      optionsFor: (origin) => ({
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
        registry: options.registry,
      }),
    });
  }

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
      // Judged again here, not only at submission: DNS may have changed since, and the address
      // judged is the one connected to.
      const { url, address } = await this.destination.resolve(job.callbackUrl);
      const status = await this.breakers.get(url.origin).fire(url, address, body, headers);
      answered = true;
      span.setAttribute('http.response.status_code', status);
      span.end();
      await store.recordCallback(job.id, { delivered: true });
      metrics.callbacks.inc({ type: job.type, result: 'delivered' });
      logger.info({ jobId: job.id, attempt }, 'job callback delivered');
    } catch (error) {
      // (once answered, the span has ended: a failure to record the outcome is not the call's)
      if (!answered) endFailed(span, error);
      if (error instanceof CallbackDestinationRefused && error.reason !== 'unresolvable') {
        // No later attempt would go anywhere else: give up at once, without a connection.
        await store.recordCallback(job.id, {
          delivered: false,
          error: `${error.name}: ${error.message}`,
          retryInMs: null,
        });
        metrics.callbacks.inc({ type: job.type, result: 'refused' });
        logger.warn(
          { jobId: job.id, attempt, reason: error.reason },
          'job callback destination refused; giving up',
        );
        return;
      }
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

  /**
   * One POST on a connection of its own, made to the address the guard judged (the name is still
   * sent as Host and used for TLS). Redirects are not followed: a 3xx is a failed delivery.
   */
  private async post(
    url: URL,
    address: ResolvedAddress,
    body: Buffer,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<number> {
    const agent = new Agent({ connect: { lookup: pinnedLookup(address) }, pipelining: 0 });
    try {
      return await withTimeout(timeoutMs, 'job callback', async (signal) => {
        const response = await request(url, {
          method: 'POST',
          body,
          headers,
          signal,
          dispatcher: agent,
        });
        await response.body.dump().catch(() => undefined);
        if (response.statusCode < 200 || response.statusCode >= 300) {
          const retryAfter = response.headers['retry-after'];
          throw new CallbackHttpError(
            response.statusCode,
            (Array.isArray(retryAfter) ? retryAfter[0] : retryAfter) ?? null,
          );
        }
        return response.statusCode;
      });
    } finally {
      agent.destroy().catch(() => undefined);
    }
  }
}

/** A lookup that answers the one address already judged, whatever the name: no second query. */
function pinnedLookup(address: ResolvedAddress): LookupFunction {
  return ((
    _hostname: string,
    options: { all?: boolean },
    callback: (...args: unknown[]) => void,
  ) => {
    if (options?.all) callback(null, [{ address: address.address, family: address.family }]);
    else callback(null, address.address, address.family);
  }) as unknown as LookupFunction;
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
