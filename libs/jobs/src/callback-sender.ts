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
  OutboundDeliveryWorker,
  type BreakerGuard,
  type DeliveryQueue,
} from '@shopwire/outbound-delivery';
import { isBreakerOpenError, parseRetryAfter, withTimeout } from '@shopwire/resilience';
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
import type { CallbackStore } from './callback-store';
import { callbackBody } from './job-view';

export interface CallbackSenderOptions {
  store: CallbackStore;
  /** `JOBS_CALLBACK_SECRET`; null when callbacks are not configured (none are accepted). */
  secret: string | null;
  logger: Logger;
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

/** Why a callback is given up without an attempt at the network: nothing to send it with. */
class CallbacksNotConfigured extends Error {
  override readonly name = 'CallbacksNotConfigured';
  constructor() {
    super('callbacks are not configured (JOBS_CALLBACK_SECRET)');
  }
}

/**
 * Delivers completion callbacks from the job table: a finished job with a callback URL is
 * `pending` with a due time; every replica runs the `job_callback` queue of the leased
 * outbound-delivery worker (claimed with a short lease in `callback_lease_until`, so two do not
 * send the same one at once), POSTs the signed body through a breaker per receiving origin, and
 * records the outcome. Retries are rows with a later due time, so they survive restarts.
 * Delivery is at least once: receivers should dedupe on the job id (`X-Shopwire-Job-Id`).
 */
export class CallbackSender {
  private readonly worker: OutboundDeliveryWorker;
  private readonly destination: CallbackDestinationGuard;

  constructor(private readonly options: CallbackSenderOptions) {
    this.destination =
      options.destination ??
      new CallbackDestinationGuard({ httpsOnly: false, allowLoopback: false, allowedHosts: null });
    const timeoutMs = options.timeoutMs ?? 5000;
    this.worker = new OutboundDeliveryWorker({
      name: 'job-callbacks',
      queues: [this.queue(timeoutMs)],
      batch: 10,
      pollMs: options.pollIntervalMs ?? 1000,
      leaseMs: timeoutMs * 3,
      maxBreakers: options.maxBreakers ?? 1000,
      breaker: (origin) => ({
        name: `job-callback:${origin}`,
        // withTimeout bounds each call; the breaker's own timeout is a backstop.
        timeoutMs: timeoutMs + 1000,
        // A 4xx (other than 408/429) is our request being refused, not the receiver failing.
        isNotAFault: (error) =>
          error instanceof CallbackHttpError &&
          error.status >= 400 &&
          error.status < 500 &&
          error.status !== 408 &&
          error.status !== 429,
      }),
      // The receiver is known to be down: try again soon without spending an attempt.
      refusedDelayMs: 5000,
      logger: options.logger,
      registry: options.registry,
    });
  }

  start(): void {
    this.worker.start();
  }

  /** Stops claiming; deliveries in flight finish and are recorded; the breakers are shut. */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  /** A callback became due in this process: look now rather than at the next poll. */
  wake(): void {
    this.worker.wake();
  }

  /** One pass: sends every due callback it could claim; returns how many were claimed. */
  deliverDue(): Promise<number> {
    return this.worker.pass();
  }

  private queue(timeoutMs: number): DeliveryQueue<JobRecord> {
    const { store, logger } = this.options;
    const cap = this.options.capDelayMs ?? 300_000;
    return {
      name: 'job_callback',
      claim: (limit, leaseMs) => store.claimCallbacks(limit, leaseMs),
      destination: (job) => originOf(job.callbackUrl),
      kind: (job) => job.type,
      attempts: (job) => job.callbackAttempts,
      deliver: (job, guard) => this.deliver(job, guard, timeoutMs),
      describeFailure: (error) => {
        const brief = briefError(error);
        return {
          summary: `${brief.type}: ${brief.message}`,
          // No later attempt would go anywhere else: given up at once, without a connection.
          // A name that does not resolve is retried like a network error.
          permanent:
            error instanceof CallbacksNotConfigured ||
            (error instanceof CallbackDestinationRefused && error.reason !== 'unresolvable'),
          retryAfterMs:
            error instanceof CallbackHttpError ? parseRetryAfter(error.retryAfter) : null,
        };
      },
      retry: {
        maxAttempts: this.options.maxAttempts ?? 10,
        baseMs: this.options.baseDelayMs ?? 1000,
        capMs: cap,
        maxRetryAfterMs: cap,
      },
      markDelivered: async (delivered) => {
        for (const { row } of delivered) {
          await store.recordCallback(row.id, { delivered: true });
          logger.info(
            { jobId: row.id, attempt: row.callbackAttempts + 1 },
            'job callback delivered',
          );
        }
      },
      markFailed: (job, failed) =>
        store.recordCallback(job.id, {
          delivered: false,
          error:
            failed.cause instanceof CallbacksNotConfigured ? failed.cause.message : failed.error,
          retryInMs: failed.giveUp ? null : failed.delayMs,
        }),
      release: (job, delayMs) => store.postponeCallback(job.id, delayMs),
      logFields: (job) => ({ jobId: job.id }),
    };
  }

  private async deliver(job: JobRecord, guard: BreakerGuard, timeoutMs: number): Promise<void> {
    const secret = this.options.secret;
    if (!secret || !job.callbackUrl) throw new CallbacksNotConfigured();
    const attempt = job.callbackAttempts + 1;
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
    try {
      // Judged again here, not only at submission: DNS may have changed since, and the address
      // judged is the one connected to.
      const { url, address } = await this.destination.resolve(job.callbackUrl);
      const status = await guard(() => this.post(url, address, body, headers, timeoutMs));
      span.setAttribute('http.response.status_code', status);
      span.end();
    } catch (error) {
      endFailed(span, error);
      throw error;
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

/** The breaker's key: the receiving origin (a URL that does not parse fails at delivery). */
function originOf(callbackUrl: string | null): string {
  try {
    return new URL(callbackUrl ?? '').origin;
  } catch {
    return 'invalid';
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
