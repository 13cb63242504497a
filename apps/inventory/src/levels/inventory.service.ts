import { Inject, Injectable } from '@nestjs/common';
import { DomainTopic, type InventoryLevelLowEvent } from '@shopwire/contracts';
import { applyChunk, enqueueOutbox, isDataError, type ChunkMode } from '@shopwire/database';
import type { Logger } from '@shopwire/observability';
import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_CONFIG, SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import type { InventoryConfig } from '../config';
import { applyCommitmentEvent } from './commitment';
import type {
  InventoryItemUpdate as ItemUpdate,
  InventoryLevelUpdate as LevelUpdate,
} from '@shopwire/contracts';
import { InventoryMetrics } from './inventory.metrics';
import { InventoryRepository, type LevelRow } from './inventory.repository';
import { lowStockTransition } from './low-stock';
import type { OrderCommitmentEvent } from './order-event';

/** Inbox consumer names: one per source, so ids from different sources never collide. */
export const INBOX = {
  inventory: 'inventory.shopify-inventory',
  orders: 'inventory.order-events',
  compliance: 'inventory.compliance',
} as const;

export interface WebhookRef {
  shopDomain: string;
  webhookId: string;
}

export type InventoryEvent =
  | { kind: 'level'; ref: WebhookRef; level: LevelUpdate }
  | { kind: 'item'; ref: WebhookRef; item: ItemUpdate }
  | { kind: 'order'; order: OrderCommitmentEvent }
  | { kind: 'compliance'; ref: WebhookRef; shopifyTopic: string };

/** The inbox row an event claims (the same consumer names `apply` uses). */
function claimOf(event: InventoryEvent): { consumer: string; eventId: string } {
  switch (event.kind) {
    case 'order':
      return { consumer: INBOX.orders, eventId: event.order.eventId };
    case 'compliance':
      return { consumer: INBOX.compliance, eventId: event.ref.webhookId };
    case 'level':
    case 'item':
      return { consumer: INBOX.inventory, eventId: event.ref.webhookId };
  }
}

export type ApplyOutcome = 'applied' | 'unchanged' | 'stale' | 'duplicate' | 'rejected';

export interface ApplyResult {
  outcome: ApplyOutcome;
  lowStockEvents: number;
}

/** What a compliance request means here: inventory holds no personal data. */
export const PRIVACY_OUTCOME: Record<string, string> = {
  'customers/redact': 'completed: no personal data held',
  'shop/redact': 'completed: no personal data held',
  'customers/data_request': 'completed: no personal data held, nothing to export',
};

function shopOf(event: InventoryEvent): string {
  return event.kind === 'order' ? event.order.shopDomain : event.ref.shopDomain;
}

@Injectable()
export class InventoryService {
  constructor(
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SERVICE_CONFIG) private readonly config: InventoryConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly repository: InventoryRepository,
    private readonly metrics: InventoryMetrics,
  ) {}

  /**
   * Applies a chunk in one transaction, in order. Each event claims its id in the inbox first
   * (a redelivery is a no-op), and its low-stock events go into the outbox in the same
   * transaction. Metrics are counted after the commit, so a retried chunk never counts twice.
   */
  async applyEvents(events: InventoryEvent[]): Promise<ApplyResult[]> {
    const results = await applyChunk(
      this.dataSource,
      events.map(claimOf),
      async (manager, mode) => {
        const shops = events.map(shopOf);
        await this.repository.lockShops(manager, shops);
        await this.repository.ensureShops(manager, shops);
        const out: ApplyResult[] = [];
        for (const event of events) out.push(await this.applyOne(manager, mode, event));
        return out;
      },
    );
    results.forEach((result, index) => this.count(result, events[index]));
    return results;
  }

  private async applyOne(
    manager: EntityManager,
    mode: ChunkMode,
    event: InventoryEvent,
  ): Promise<ApplyResult> {
    try {
      // Isolated per event: data Postgres refuses undoes only this event (counted as
      // rejected); the rest of the chunk still commits.
      return await mode.isolate('inventory_event', () => this.apply(manager, mode, event));
    } catch (error) {
      if (!isDataError(error)) throw error; // an outage: the whole chunk is retried
      this.logger.warn(
        { kind: event.kind, shopDomain: shopOf(event), code: (error as { code?: string }).code },
        'inventory event rejected by the database; skipped',
      );
      return { outcome: 'rejected', lowStockEvents: 0 };
    }
  }

  private async apply(
    manager: EntityManager,
    mode: ChunkMode,
    event: InventoryEvent,
  ): Promise<ApplyResult> {
    const none = (outcome: ApplyOutcome): ApplyResult => ({ outcome, lowStockEvents: 0 });
    switch (event.kind) {
      case 'level': {
        const { ref, level } = event;
        if (!(await mode.claim(INBOX.inventory, ref.webhookId))) return none('duplicate');
        const result = await this.repository.upsertLevel(
          manager,
          ref.shopDomain,
          level,
          ref.webhookId,
        );
        if (result === 'stale') return none('stale');
        const emitted = await this.evaluate(
          manager,
          ref.shopDomain,
          await this.repository.levelsOfItems(manager, ref.shopDomain, [level.inventoryItemId]),
          ref.webhookId,
        );
        return { outcome: 'applied', lowStockEvents: emitted };
      }
      case 'item': {
        const { ref, item } = event;
        if (!(await mode.claim(INBOX.inventory, ref.webhookId))) return none('duplicate');
        if ((await this.repository.upsertItem(manager, ref.shopDomain, item)) === 'stale') {
          return none('stale');
        }
        // The SKU may have just become known (or changed): the item's levels now count its orders.
        const emitted = await this.evaluate(
          manager,
          ref.shopDomain,
          await this.repository.levelsOfItems(manager, ref.shopDomain, [item.inventoryItemId]),
          ref.webhookId,
        );
        return { outcome: 'applied', lowStockEvents: emitted };
      }
      case 'order': {
        const { order } = event;
        if (!(await mode.claim(INBOX.orders, order.eventId))) return none('duplicate');
        const previous = await this.repository.loadCommitment(
          manager,
          order.shopDomain,
          order.orderId,
        );
        const change = applyCommitmentEvent(previous, order);
        await this.repository.saveCommitment(
          manager,
          order.shopDomain,
          order.orderId,
          change.state,
        );
        if (change.deltas.size === 0) return none(change.changed ? 'applied' : 'unchanged');
        await this.repository.addSkuCommitments(manager, order.shopDomain, change.deltas);
        const levels = await this.repository.levelsOfSkus(manager, order.shopDomain, [
          ...change.deltas.keys(),
        ]);
        const emitted = await this.evaluate(manager, order.shopDomain, levels, order.eventId);
        return { outcome: 'applied', lowStockEvents: emitted };
      }
      case 'compliance': {
        const { ref, shopifyTopic } = event;
        if (!(await mode.claim(INBOX.compliance, ref.webhookId))) return none('duplicate');
        if (shopifyTopic === 'app/uninstalled') {
          await this.repository.markShopUninstalled(manager, ref.shopDomain);
        } else {
          await this.repository.recordPrivacyRequest(
            manager,
            ref.shopDomain,
            ref.webhookId,
            shopifyTopic,
            PRIVACY_OUTCOME[shopifyTopic] ?? 'completed: nothing held',
          );
        }
        return none('applied');
      }
    }
  }

  /**
   * Re-evaluates the low-stock latch of `levels` and enqueues one
   * `inventory.level.low.v1` per level that fell below the threshold. Runs under the shop's lock
   * (see `lockShops`), so the level and its commitment are read as one state.
   */
  private async evaluate(
    manager: EntityManager,
    shop: string,
    levels: LevelRow[],
    causationId: string,
  ): Promise<number> {
    const threshold = this.config.LOW_STOCK_THRESHOLD;
    const crossed: LevelRow[] = [];
    for (const row of levels) {
      const transition = lowStockTransition(row.low, row.available - row.committed, threshold);
      if (transition === 'unchanged') continue;
      await this.repository.setLow(manager, shop, row, transition === 'crossed_down');
      if (transition === 'crossed_down') crossed.push(row);
    }
    await enqueueOutbox(
      manager,
      crossed.map((row) => {
        const occurredAt = new Date().toISOString();
        const event: InventoryLevelLowEvent = {
          eventId: randomUUID(),
          type: 'inventory.level.low',
          schemaVersion: 1,
          occurredAt,
          shopDomain: shop,
          aggregateId: `${row.inventory_item_id}/${row.location_id}`,
          aggregateVersion: occurredAt,
          causationId,
          data: {
            inventoryItemId: row.inventory_item_id,
            locationId: row.location_id,
            sku: row.sku,
            available: row.available,
            committed: row.committed,
            sellable: row.available - row.committed,
            threshold,
          },
        };
        return {
          topic: DomainTopic.InventoryLevelLow,
          key: `${shop}/${event.aggregateId}`,
          value: JSON.stringify(event),
          headers: { 'content-type': 'application/json', 'event-type': event.type },
        };
      }),
    );
    return crossed.length;
  }

  private count(result: ApplyResult, event: InventoryEvent): void {
    this.metrics.events.inc({ kind: event.kind, outcome: result.outcome });
    if (result.lowStockEvents > 0) this.metrics.lowStock.inc(result.lowStockEvents);
    if (result.outcome === 'stale') {
      this.logger.debug({ kind: event.kind, shopDomain: shopOf(event) }, 'stale update skipped');
    }
  }

  levelsByItem(shop: string, itemId: string): Promise<LevelRow[]> {
    return this.repository.levelsByItem(shop, itemId);
  }

  levelsBySku(shop: string, sku: string): Promise<LevelRow[]> {
    return this.repository.levelsBySku(shop, sku);
  }

  levelsByLocation(shop: string, locationId: string, after: string | null, limit: number) {
    return this.repository.levelsByLocation(shop, locationId, after, limit);
  }

  ping(): Promise<void> {
    return this.repository.ping();
  }
}
