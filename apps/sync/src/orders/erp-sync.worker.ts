import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { METRICS_REGISTRY } from '@shopwire/http';
import { extractTraceContext, type Logger, type Registry } from '@shopwire/observability';
import {
  OutboundDeliveryWorker,
  type DeliveryFailure,
  type DeliveryQueue,
  type RetryPolicy,
} from '@shopwire/outbound-delivery';
import { SERVICE_CONFIG, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';
import { ErpClient, ErpHttpError, erpErrorSummary, rootError } from './erp-client';
import { OrderSyncRepository, type DueJob, type DueOrder } from './order-sync.repository';

/**
 * The background loop that calls the ERP: the leased outbound-delivery worker with two queues
 * behind one `erp` breaker — redaction jobs first, then orders (SKIP LOCKED, with a lease, no
 * transaction held during HTTP). A failed order stays 'failed' and is retried on later passes
 * with growing backoff (never sooner than the ERP's Retry-After) until SYNC_MAX_ATTEMPTS; then it
 * waits for an operator (`POST /sync/orders/:id/retry`) — the dead-letter seam for ERP calls,
 * since the Kafka message itself was handled fine. A crash between the ERP's answer and the
 * 'synced' mark resends after the lease: the ERP drops the repeat by its Idempotency-Key
 * (`<shop>/<order id>`, `redact/<job id>`), so the order is mirrored once.
 */
@Injectable()
export class ErpSyncWorker implements OnApplicationBootstrap, OnModuleDestroy {
  readonly worker: OutboundDeliveryWorker;
  private readonly redactUrl: string;

  constructor(
    @Inject(SERVICE_CONFIG) private readonly config: SyncConfig,
    @Inject(SERVICE_LOGGER) logger: Logger,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly repository: OrderSyncRepository,
    private readonly erp: ErpClient,
  ) {
    this.redactUrl = config.ERP_REDACT_URL ?? new URL('redact', config.ERP_URL).toString();
    this.worker = new OutboundDeliveryWorker({
      name: 'erp',
      queues: [this.redactions(), this.orders()],
      batch: config.WORKER_BATCH,
      pollMs: config.WORKER_POLL_MS,
      leaseMs: config.WORKER_LEASE_MS,
      breaker: () => ({
        name: 'erp',
        timeoutMs: config.ERP_TIMEOUT_MS + 500,
        volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
        errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
        resetTimeoutMs: config.BREAKER_RESET_MS,
        isNotAFault: (error) => error instanceof ErpHttpError && error.status < 500,
      }),
      logger,
      registry,
    });
  }

  onApplicationBootstrap(): void {
    this.worker.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.worker.stop();
  }

  wake(): void {
    this.worker.wake();
  }

  /** The `erp` breaker, for readiness. */
  health(): Record<string, unknown> {
    return this.worker.health('erp');
  }

  private get retry(): RetryPolicy {
    return {
      maxAttempts: this.config.SYNC_MAX_ATTEMPTS,
      baseMs: this.config.SYNC_BACKOFF_BASE_MS,
      capMs: this.config.SYNC_BACKOFF_CAP_MS,
      floorMs: this.config.ERP_RETRY_BASE_MS,
    };
  }

  private orders(): DeliveryQueue<DueOrder, number> {
    const { repository, config } = this;
    return {
      name: 'erp_order',
      claim: (limit, leaseMs) =>
        repository.claimDueOrders(limit, leaseMs, config.SYNC_MAX_ATTEMPTS),
      destination: 'erp',
      kind: () => 'order',
      attempts: (order) => order.attempts,
      deliver: (order, guard) =>
        this.erp.call(
          {
            url: config.ERP_URL,
            idempotencyKey: `${order.shopDomain}/${order.orderId}`,
            body: { shopDomain: order.shopDomain, orderId: order.orderId, order: order.payload },
            shopDomain: order.shopDomain,
            kind: 'order',
            parent: extractTraceContext(order.traceContext ?? {}),
          },
          guard,
        ),
      describeFailure: erpFailure,
      retry: this.retry,
      // One statement for the pass (the ERP's Idempotency-Key covers a crash before it commits).
      markDelivered: (synced) =>
        repository.markSynced(
          synced.map(({ row, result }) => ({
            shopDomain: row.shopDomain,
            orderId: row.orderId,
            erpStatus: result,
          })),
        ),
      markFailed: (order, failed) => {
        const root = rootError(failed.cause);
        return repository.markFailed(
          order.shopDomain,
          order.orderId,
          failed.error,
          root instanceof ErpHttpError ? root.status : null,
          failed.delayMs,
          failed.giveUp,
          config.SYNC_MAX_ATTEMPTS,
        );
      },
      release: (order, delayMs) =>
        repository.releaseOrder(order.shopDomain, order.orderId, delayMs),
      backlog: () => repository.countByStatus(),
      logFields: (order) => ({ shopDomain: order.shopDomain, orderId: order.orderId }),
    };
  }

  /** Redactions forwarded to the ERP: never given up early; past SYNC_MAX_ATTEMPTS unclaimed. */
  private redactions(): DeliveryQueue<DueJob, number> {
    const { repository, config } = this;
    return {
      name: 'erp_redact',
      claim: (limit, leaseMs) => repository.claimDueJobs(limit, leaseMs, config.SYNC_MAX_ATTEMPTS),
      destination: 'erp',
      kind: (job) => job.kind,
      attempts: (job) => job.attempts,
      deliver: (job, guard) =>
        this.erp.call(
          {
            url: this.redactUrl,
            idempotencyKey: `redact/${job.id}`,
            body: erpRedactBody(job),
            shopDomain: job.shopDomain,
            kind: job.kind,
            parent: extractTraceContext(job.traceContext ?? {}),
          },
          guard,
        ),
      describeFailure: (error) => ({ ...erpFailure(error), permanent: false }),
      retry: this.retry,
      markDelivered: async (done) => {
        for (const { row } of done) await repository.finishJob(row.id, null, 0);
      },
      markFailed: (job, failed) => repository.finishJob(job.id, failed.error, failed.delayMs),
      release: (job, delayMs) => repository.releaseJob(job.id, delayMs),
      logFields: (job) => ({ shopDomain: job.shopDomain, jobId: job.id }),
    };
  }
}

/** What an ERP failure means for the row: a 4xx other than 429 is permanent; Retry-After is kept. */
function erpFailure(error: unknown): DeliveryFailure {
  const root = rootError(error);
  return {
    summary: erpErrorSummary(error),
    permanent: root instanceof ErpHttpError && root.permanent,
    retryAfterMs: root instanceof ErpHttpError ? root.retryAfterMs : null,
  };
}

/**
 * The ERP redaction contract: the scope is always explicit. `customer` names the customer's id
 * (null for a guest) and the orders it covers; only `shop` erases the whole shop.
 */
export function erpRedactBody(
  job: Pick<DueJob, 'shopDomain' | 'scope' | 'customerId' | 'orderIds'>,
) {
  return job.scope === 'shop'
    ? { shopDomain: job.shopDomain, scope: 'shop' as const }
    : {
        shopDomain: job.shopDomain,
        scope: 'customer' as const,
        customerId: job.customerId,
        orderIds: job.orderIds,
      };
}
