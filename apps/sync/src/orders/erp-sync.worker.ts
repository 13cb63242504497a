import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { extractTraceContext, type Logger } from '@shopwire/observability';
import { fullJitterDelay, isBreakerOpenError } from '@shopwire/resilience';
import type { SyncConfig } from '../config';
import { SYNC_CONFIG, SYNC_LOGGER } from '../sync.tokens';
import { ErpClient, ErpHttpError, erpErrorSummary, rootError } from './erp-client';
import { OrderSyncRepository, type DueJob, type DueOrder } from './order-sync.repository';
import { SyncMetrics } from './sync.metrics';

/**
 * The background loop that calls the ERP: claims due orders and jobs (SKIP LOCKED, with a lease,
 * no transaction held during HTTP), calls, marks. A failed order stays 'failed' and is retried on
 * later passes with growing backoff (never sooner than the ERP's Retry-After) until
 * SYNC_MAX_ATTEMPTS; then it waits for an operator (`POST /sync/orders/:id/retry`) — the
 * dead-letter seam for ERP calls, since the Kafka message itself was handled fine.
 * A crash between the ERP's answer and the 'synced' mark resends after the lease: the ERP drops
 * the repeat by its Idempotency-Key (`<shop>/<order id>`), so the order is mirrored once.
 */
interface SyncedOrder {
  shopDomain: string;
  orderId: string;
  erpStatus: number;
  observe(result: string): void;
}

// The backlog gauge needs a count over the table; once per this long is plenty for a gauge and
// keeps a busy worker from paying a scan per pass.
const BACKLOG_SAMPLE_MS = 5000;

@Injectable()
export class ErpSyncWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  private backlogSampledAt = 0;
  private readonly redactUrl: string;

  constructor(
    @Inject(SYNC_CONFIG) private readonly config: SyncConfig,
    @Inject(SYNC_LOGGER) private readonly logger: Logger,
    private readonly repository: OrderSyncRepository,
    private readonly erp: ErpClient,
    private readonly metrics: SyncMetrics,
  ) {
    this.redactUrl = config.ERP_REDACT_URL ?? new URL('redact', config.ERP_URL).toString();
  }

  onApplicationBootstrap(): void {
    this.running = true;
    this.loop = this.run();
  }

  async onModuleDestroy(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        claimed = await this.pass();
        if (Date.now() - this.backlogSampledAt >= BACKLOG_SAMPLE_MS) {
          this.backlogSampledAt = Date.now();
          const backlog = await this.repository.countByStatus();
          this.metrics.backlog.reset();
          for (const { status, n } of backlog) this.metrics.backlog.set({ status }, n);
        }
      } catch (error) {
        this.logger.warn({ err: (error as Error).message }, 'erp pass failed; will retry');
      }
      if (claimed < this.config.WORKER_BATCH) await this.idle(this.config.WORKER_POLL_MS);
    }
  }

  private idle(ms: number): Promise<void> {
    if (this.woken || !this.running) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = null;
        this.woken = false;
        done();
      };
    });
  }

  async pass(): Promise<number> {
    if (this.erp.state === 'open') return 0;
    const { WORKER_BATCH, WORKER_LEASE_MS, SYNC_MAX_ATTEMPTS } = this.config;
    const jobs = await this.repository.claimDueJobs(
      WORKER_BATCH,
      WORKER_LEASE_MS,
      SYNC_MAX_ATTEMPTS,
    );
    await Promise.all(jobs.map((job) => this.runJob(job)));
    const orders = await this.repository.claimDueOrders(
      WORKER_BATCH,
      WORKER_LEASE_MS,
      SYNC_MAX_ATTEMPTS,
    );
    const outcomes = await Promise.all(orders.map((order) => this.syncOrder(order)));
    const synced = outcomes.filter((o): o is SyncedOrder => o !== null);
    await this.repository.markSynced(synced);
    for (const { observe } of synced) observe('synced');
    return orders.length + jobs.length;
  }

  private backoff(attempts: number, error: unknown): number {
    const root = rootError(error);
    const asked = root instanceof ErpHttpError ? (root.retryAfterMs ?? 0) : 0;
    const jittered = fullJitterDelay(
      attempts + 1,
      this.config.SYNC_BACKOFF_BASE_MS,
      this.config.SYNC_BACKOFF_CAP_MS,
    );
    return Math.max(asked, jittered, this.config.ERP_RETRY_BASE_MS);
  }

  /** Calls the ERP; the order when it was mirrored (the pass marks them together), else null. */
  private async syncOrder(order: DueOrder): Promise<SyncedOrder | null> {
    const started = performance.now();
    const observe = (result: string) => {
      this.metrics.erpCalls.inc({ kind: 'order', result });
      this.metrics.erpSeconds.observe({ result }, (performance.now() - started) / 1000);
    };
    try {
      const status = await this.erp.call({
        url: this.config.ERP_URL,
        idempotencyKey: `${order.shopDomain}/${order.orderId}`,
        body: { shopDomain: order.shopDomain, orderId: order.orderId, order: order.payload },
        shopDomain: order.shopDomain,
        kind: 'order',
        parent: extractTraceContext(order.traceContext ?? {}),
      });
      return { shopDomain: order.shopDomain, orderId: order.orderId, erpStatus: status, observe };
    } catch (error) {
      const root = rootError(error);
      if (isBreakerOpenError(root)) {
        await this.repository.releaseOrder(order.shopDomain, order.orderId, this.erp.resetMs);
        observe('refused');
        return null;
      }
      const permanent = root instanceof ErpHttpError && root.permanent;
      const summary = erpErrorSummary(error);
      await this.repository.markFailed(
        order.shopDomain,
        order.orderId,
        summary,
        root instanceof ErpHttpError ? root.status : null,
        this.backoff(order.attempts, error),
        permanent,
        this.config.SYNC_MAX_ATTEMPTS,
      );
      observe(
        permanent || order.attempts + 1 >= this.config.SYNC_MAX_ATTEMPTS ? 'gave_up' : 'failed',
      );
      this.logger.warn(
        {
          shopDomain: order.shopDomain,
          orderId: order.orderId,
          error: summary,
          attempts: order.attempts + 1,
        },
        'order not mirrored to the ERP; will retry',
      );
      return null;
    }
  }

  private async runJob(job: DueJob): Promise<void> {
    try {
      await this.erp.call({
        url: this.redactUrl,
        idempotencyKey: `redact/${job.id}`,
        body: erpRedactBody(job),
        shopDomain: job.shopDomain,
        kind: job.kind,
        parent: extractTraceContext(job.traceContext ?? {}),
      });
      await this.repository.finishJob(job.id, null, 0);
      this.metrics.erpCalls.inc({ kind: job.kind, result: 'synced' });
    } catch (error) {
      const root = rootError(error);
      const delay = isBreakerOpenError(root) ? this.erp.resetMs : this.backoff(job.attempts, error);
      await this.repository.finishJob(job.id, erpErrorSummary(error), delay);
      this.metrics.erpCalls.inc({
        kind: job.kind,
        result: isBreakerOpenError(root) ? 'refused' : 'failed',
      });
    }
  }
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
