import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import type { Logger, Registry } from '@shopwire/observability';
import {
  breakerHealth,
  breakerState,
  createBreaker,
  isBreakerOpenError,
  parseRetryAfter,
  retry,
  RetriesExhaustedError,
  type Breaker,
  type BreakerState,
} from '@shopwire/resilience';
import { Agent, request } from 'undici';
import type { SyncConfig } from '../config';
import { SYNC_CONFIG, SYNC_LOGGER } from '../sync.tokens';

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

export interface ErpCall {
  url: string;
  idempotencyKey: string;
  body: unknown;
}

/**
 * The ERP over HTTP (undici, with connect/headers/body timeouts): every call through one opossum
 * breaker, a few attempts with backoff and full jitter, waiting at least the Retry-After a 429 or
 * 503 asked for (seconds, fractional allowed). A 429 is flow control, not a fault: it does not
 * open the breaker. Another 4xx is permanent and not retried.
 */
@Injectable()
export class ErpClient implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly breaker: Breaker<[ErpCall], number>;

  constructor(
    @Inject(SYNC_CONFIG) private readonly config: SyncConfig,
    @Inject(SYNC_LOGGER) private readonly logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.agent = new Agent({
      connect: { timeout: config.ERP_TIMEOUT_MS },
      headersTimeout: config.ERP_TIMEOUT_MS,
      bodyTimeout: config.ERP_TIMEOUT_MS,
      connections: 16,
    });
    this.breaker = createBreaker((call: ErpCall) => this.post(call), {
      name: 'erp',
      timeoutMs: config.ERP_TIMEOUT_MS + 500,
      volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
      errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
      resetTimeoutMs: config.BREAKER_RESET_MS,
      isNotAFault: (error) => error instanceof ErpHttpError && error.status < 500,
      registry,
    });
    this.breaker.on('open', () => this.logger.warn({ breaker: 'erp' }, 'circuit breaker opened'));
    this.breaker.on('close', () => this.logger.info({ breaker: 'erp' }, 'circuit breaker closed'));
  }

  get state(): BreakerState {
    return breakerState(this.breaker);
  }

  health(): Record<string, unknown> {
    return breakerHealth(this.breaker);
  }

  get resetMs(): number {
    return this.config.BREAKER_RESET_MS;
  }

  /**
   * Resolves with the ERP's status (2xx); rejects after the attempts with the last error. A
   * breaker-open refusal is the error only when the ERP was never asked: if it was asked and
   * failed and the breaker then opened before the next attempt, the ERP's failure is what the
   * caller hears — the order was tried (a failed attempt with backoff), not merely refused.
   */
  async call(call: ErpCall): Promise<number> {
    let lastAnswer: unknown = null;
    try {
      return await retry(
        async () => {
          try {
            return await this.breaker.fire(call);
          } catch (error) {
            if (!isBreakerOpenError(error)) lastAnswer = error;
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
    } catch (error) {
      if (lastAnswer !== null && isBreakerOpenError(rootError(error))) throw lastAnswer;
      throw error;
    }
  }

  private async post(call: ErpCall): Promise<number> {
    const response = await request(call.url, {
      method: 'POST',
      dispatcher: this.agent,
      headers: {
        'content-type': 'application/json',
        // Stable per order: the ERP drops a repeat (a retry, or a resend after a crash).
        'idempotency-key': call.idempotencyKey,
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
    this.breaker.shutdown();
    await this.agent.close();
  }
}
