import { Inject, Injectable } from '@nestjs/common';
import { applyChunk, isDataError, type ChunkMode } from '@shopwire/database';
import {
  context,
  injectTraceHeaders,
  SpanKind,
  tracer,
  type Context,
  type Logger,
} from '@shopwire/observability';
import { orderIdentities, withoutPersonalData } from '@shopwire/privacy';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import { CatalogRepository } from '../catalog/catalog.repository';
import { OrderSyncRepository } from './order-sync.repository';
import type { SyncInput } from './sync-events';
import { SyncMetrics } from './sync.metrics';
import { SyncPrivacyRepository } from './sync-privacy.repository';
import { SyncTombstones } from './sync-tombstones';
import { ScheduleMetrics } from '../schedule/schedule.metrics';
import { ORDER_BACKFILL_SCHEDULE } from '../schedule/schedule-plan';
import { ShopInstallationsRepository } from '../schedule/shop-installations.repository';

/** An event to apply, with the trace context its message carried. */
export type Applicable = Exclude<SyncInput, { kind: 'ignored' | 'rejected' }> & {
  trace?: Context;
};
type Count = () => void;

const spans = tracer('sync');

export function inboxConsumer(topic: string): string {
  return `sync.${topic}`;
}

/**
 * Applies a chunk in one transaction: inbox claim plus the effect — an order recorded for the ERP
 * (the call happens later, in the worker), a catalog update, or a privacy action. Metrics are
 * counted after the commit.
 */
@Injectable()
export class SyncService {
  constructor(
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly orders: OrderSyncRepository,
    private readonly catalog: CatalogRepository,
    private readonly privacy: SyncPrivacyRepository,
    private readonly metrics: SyncMetrics,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly installations: ShopInstallationsRepository,
    private readonly scheduleMetrics: ScheduleMetrics,
    private readonly tombstones: SyncTombstones,
  ) {}

  /** true when work for the worker was recorded. */
  async apply(inputs: Applicable[]): Promise<boolean> {
    const counts = await applyChunk(
      this.dataSource,
      inputs.map((input) => ({ consumer: inboxConsumer(input.topic), eventId: input.inboxId })),
      async (manager, mode) => {
        const results: { count: Count; wake: boolean }[] = [];
        for (const input of inputs) results.push(await this.applyTraced(manager, mode, input));
        return results;
      },
    );
    counts.forEach((c) => c.count());
    return counts.some((c) => c.wake);
  }

  /**
   * One `sync.apply` span per event, a child of the trace its message carried. What the event
   * leaves for the ERP worker (an order to mirror, a redaction to forward) stores this span's
   * context, so the later ERP call hangs under it in the webhook's trace.
   */
  private applyTraced(
    manager: EntityManager,
    mode: ChunkMode,
    input: Applicable,
  ): Promise<{ count: Count; wake: boolean }> {
    return spans.startActiveSpan(
      'sync.apply',
      { kind: SpanKind.CONSUMER, attributes: { 'messaging.destination.name': input.topic } },
      input.trace ?? context.active(),
      async (span) => {
        try {
          return await this.applyOne(manager, mode, input);
        } finally {
          span.end();
        }
      },
    );
  }

  private async applyOne(
    manager: EntityManager,
    mode: ChunkMode,
    input: Applicable,
  ): Promise<{ count: Count; wake: boolean }> {
    try {
      return await mode.isolate('sync_event', async () => {
        if (!(await mode.claim(inboxConsumer(input.topic), input.inboxId)))
          return { count: () => this.metrics.duplicates.inc({ topic: input.topic }), wake: false };
        switch (input.kind) {
          case 'order': {
            const active = await this.orders.isShopActive(manager, input.shopDomain);
            const status = active ? 'pending' : 'cancelled';
            // A customer redacted before this event was applied (a redelivery, a replay from the
            // DLQ, a backfilled order): the ERP gets the order without them.
            const redacted = await this.tombstones.isRedacted(
              manager,
              input.shopDomain,
              orderIdentities(input.order),
            );
            const recorded = await this.orders.recordOrder(
              manager,
              input.shopDomain,
              input.inboxId,
              redacted ? withoutPersonalData(input.order) : input.order,
              status,
              injectTraceHeaders({}),
            );
            return {
              count: () =>
                recorded
                  ? this.metrics.recorded.inc({ status })
                  : this.metrics.duplicates.inc({ topic: input.topic }),
              wake: recorded && active,
            };
          }
          case 'product': {
            const result = await this.catalog.upsertUnlessStale(
              manager,
              input.shopDomain,
              input.product,
              input.inboxId,
            );
            return { count: () => this.metrics.products.inc({ result }), wake: false };
          }
          case 'product-deleted':
            await this.catalog.markDeleted(
              manager,
              input.shopDomain,
              input.productId,
              input.at,
              input.inboxId,
            );
            return { count: () => this.metrics.products.inc({ result: 'deleted' }), wake: false };
          case 'privacy': {
            const wake = await this.applyPrivacy(manager, input);
            return { count: () => this.metrics.privacy.inc({ action: input.action }), wake };
          }
          case 'installation': {
            // The scheduled set and, at an uninstall, the shop's jobs (src/schedule/).
            const { result, cancelled, submitted } = await this.installations.apply(manager, input);
            // The shops service decided this uninstall was not a late one: the order path stops.
            if (result === 'applied' && input.event.data.status === 'uninstalled')
              await this.privacy.deactivateShop(manager, input.shopDomain);
            return {
              count: () => {
                this.scheduleMetrics.installationEvents.inc({ type: input.event.type, result });
                for (const job of cancelled)
                  this.scheduleMetrics.cancelledJobs.inc({ type: job.type });
                if (submitted)
                  this.scheduleMetrics.scheduledJobs.inc({
                    schedule: ORDER_BACKFILL_SCHEDULE,
                    result: 'on_install',
                  });
              },
              wake: false,
            };
          }
        }
      });
    } catch (error) {
      if (!isDataError(error)) throw error;
      this.logger.warn(
        { eventId: input.inboxId, topic: input.topic, code: (error as { code?: string }).code },
        'event rejected by the database; skipped',
      );
      return {
        count: () => this.metrics.databaseRejected.inc({ topic: input.topic }),
        wake: false,
      };
    }
  }

  private async applyPrivacy(
    manager: EntityManager,
    input: Extract<SyncInput, { kind: 'privacy' }>,
  ): Promise<boolean> {
    const { shopDomain, customerId, customerEmail, inboxId, orderIds } = input;
    let affected = 0;
    let exported: unknown = null;
    let wake = false;
    switch (input.action) {
      case 'customers/redact': {
        const erased = await this.privacy.eraseCustomer(
          manager,
          shopDomain,
          customerId,
          customerEmail,
        );
        affected = erased.length;
        affected += await this.privacy.eraseCustomerExports(
          manager,
          shopDomain,
          customerId,
          customerEmail,
        );
        await this.tombstones.record(
          manager,
          shopDomain,
          { customerId, email: customerEmail },
          inboxId,
        );
        // The ERP holds what we sent it: the customer's orders, named by id. A guest (no
        // customer id) is scoped to the orders Shopify lists and those we matched by email —
        // never the shop. With neither, the ERP was never sent anything about them.
        const scopedOrders = [...new Set([...orderIds, ...erased])];
        if (customerId !== null || scopedOrders.length > 0) {
          await this.privacy.queueErpRedact(
            manager,
            shopDomain,
            { scope: 'customer', customerId, orderIds: scopedOrders },
            inboxId,
            injectTraceHeaders({}),
          );
          wake = true;
        }
        break;
      }
      case 'shop/redact':
        affected = await this.privacy.eraseShop(manager, shopDomain);
        affected += await this.privacy.eraseShopExports(manager, shopDomain);
        await this.privacy.queueErpRedact(
          manager,
          shopDomain,
          { scope: 'shop' },
          inboxId,
          injectTraceHeaders({}),
        );
        wake = true;
        break;
      case 'customers/data_request': {
        const rows = await this.privacy.exportCustomer(
          manager,
          shopDomain,
          customerId,
          customerEmail,
        );
        affected = rows.length;
        exported = { service: 'sync', forwardedToErp: rows };
        break;
      }
      case 'app/uninstalled':
        // A shop the shops service announces is stopped by its `installation.uninstalled`
        // instead: it tells a late retry of an earlier generation's app/uninstalled (Shopify
        // retries for hours) from a current one, which this webhook alone cannot.
        if ((await this.installations.knownStatus(manager, shopDomain)) === null)
          affected = await this.privacy.deactivateShop(manager, shopDomain);
        break;
    }
    await this.privacy.record(manager, {
      shopDomain,
      kind: input.action,
      customerId,
      webhookId: inboxId,
      affected,
      export: exported,
    });
    this.logger.info({ shopDomain, action: input.action, affected }, 'privacy request applied');
    return wake;
  }
}
