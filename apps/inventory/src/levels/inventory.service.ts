import { Inject, Injectable } from '@nestjs/common';
import { DomainEventHeader, DomainTopic, type InventoryLevelLowEvent } from '@shopwire/contracts';
import {
  applyChunk,
  enqueueOutbox,
  isDataError,
  journalStaleOutcomes,
  type ChunkMode,
} from '@shopwire/database';
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
import { itemLock, LocksMoved, orderLock, skuLock, type LockKey } from './inventory.locks';
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

/** How often a chunk is redone because an item's SKU moved while its keys were taken. */
const MAX_LOCK_ATTEMPTS = 5;
const MAX_INT4 = 2_147_483_647;

const unreachable = (): never => {
  throw new Error('unreachable');
};

/**
 * The chunk's orders' changes of committed quantity, summed per (shop, SKU), with the index of
 * the last order that moved each SKU (the cause of a low-stock event it leads to).
 */
class SkuChanges {
  private readonly shops = new Map<string, Map<string, { delta: number; last: number }>>();

  add(shop: string, deltas: Map<string, number>, index: number): void {
    const skus = this.shops.get(shop) ?? new Map<string, { delta: number; last: number }>();
    this.shops.set(shop, skus);
    for (const [sku, delta] of deltas) {
      skus.set(sku, { delta: (skus.get(sku)?.delta ?? 0) + delta, last: index });
    }
  }

  get size(): number {
    return [...this.shops.values()].reduce((n, skus) => n + skus.size, 0);
  }

  keys(): LockKey[] {
    return [...this.shops].flatMap(([shop, skus]) =>
      [...skus.keys()].map((sku) => skuLock(shop, sku)),
    );
  }

  /** Per shop, the net change per SKU (those summing to 0 left out: nothing to write). */
  *byShop(): Iterable<[string, Map<string, number>]> {
    for (const [shop, skus] of this.shops) {
      const deltas = new Map(
        [...skus].filter(([, c]) => c.delta !== 0).map(([sku, c]) => [sku, c.delta]),
      );
      if (deltas.size > 0) yield [shop, deltas];
    }
  }

  lastChange(shop: string, sku: string | null): number {
    const change = sku === null ? undefined : this.shops.get(shop)?.get(sku);
    if (!change) throw new Error('a level evaluated for a SKU the chunk did not move');
    return change.last;
  }
}

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
   * Applies a chunk in one transaction. Each event claims its id in the inbox first (a
   * redelivery is a no-op), and its low-stock events go into the outbox in the same transaction.
   * Metrics are counted after the commit, so a retried chunk never counts twice.
   *
   * The transaction holds the keys of `inventory.locks.ts` (why those: there), in three steps so
   * that the keys every replica may need — a SKU's — are held for as short a time as possible:
   *
   * 1. without keys: shops not seen before, compliance requests;
   * 2. under each order's own key: the orders' states (accepted / cancelled), which yield the
   *    change of committed quantity per SKU;
   * 3. under the item and SKU keys: level and item updates, each evaluated on its own; then the
   *    orders' SKU changes summed over the chunk in one statement and the levels of those SKUs
   *    evaluated once, on the chunk's net state — a level that dips below the threshold and
   *    recovers within one chunk was never low in any committed state and publishes nothing.
   *
   * If an item's SKU moved while the keys were being taken, the attempt is rolled back and
   * redone holding the new SKU too (`LocksMoved`).
   */
  async applyEvents(events: InventoryEvent[]): Promise<ApplyResult[]> {
    const extra: LockKey[] = [];
    for (let attempt = 1; ; attempt++) {
      try {
        const claims = events.map(claimOf);
        const results = await applyChunk(this.dataSource, claims, async (manager, mode) => {
          const applied = await this.applyTogether(manager, mode, events, extra);
          await journalStaleOutcomes(
            manager,
            claims.map((c) => c.eventId),
            applied.map((r) => r.outcome),
          );
          return applied;
        });
        results.forEach((result, index) => this.count(result, events[index]));
        return results;
      } catch (error) {
        if (!(error instanceof LocksMoved) || attempt >= MAX_LOCK_ATTEMPTS) throw error;
        extra.push(...error.missing);
      }
    }
  }

  private async applyTogether(
    manager: EntityManager,
    mode: ChunkMode,
    events: InventoryEvent[],
    extra: LockKey[],
  ): Promise<ApplyResult[]> {
    const results: ApplyResult[] = new Array<ApplyResult>(events.length);
    const indexed = events.map((event, index) => ({ event, index }));
    const of = <K extends InventoryEvent['kind']>(kind: K) =>
      indexed.filter(
        (e): e is { event: Extract<InventoryEvent, { kind: K }>; index: number } =>
          e.event.kind === kind,
      );
    const orders = of('order');
    const webhooks = indexed.filter((e) => e.event.kind === 'level' || e.event.kind === 'item');

    // 1. No keys: a new shop's row is inserted before any key is held (see inventory.locks.ts).
    await this.repository.ensureShops(manager, events.map(shopOf));
    for (const { event, index } of of('compliance')) {
      results[index] = await this.applyOne(manager, mode, event);
    }

    // 2. Each order's key, then its state; the SKU changes are applied in step 3.
    const skuChanges = new SkuChanges();
    if (orders.length > 0) {
      await this.repository.lockKeys(
        manager,
        orders.map(({ event }) => orderLock(event.order.shopDomain, event.order.orderId)),
      );
      for (const { event, index } of orders) {
        results[index] = await this.applyOne(manager, mode, event, (deltas) =>
          skuChanges.add(event.order.shopDomain, deltas, index),
        );
      }
    }

    // 3. Item and SKU keys: the SKUs the orders moved, and for level and item updates their item
    //    and the SKU(s) it maps to (looked up by the lock statement, checked right after).
    if (webhooks.length === 0 && skuChanges.size === 0) return results;
    const items = webhooks.map(({ event }) =>
      event.kind === 'level'
        ? { shop: event.ref.shopDomain, itemId: event.level.inventoryItemId }
        : event.kind === 'item'
          ? { shop: event.ref.shopDomain, itemId: event.item.inventoryItemId }
          : unreachable(),
    );
    const keys: LockKey[] = [
      ...extra,
      ...skuChanges.keys(),
      ...items.map((item) => itemLock(item.shop, item.itemId)),
      ...webhooks.flatMap(({ event }) =>
        event.kind === 'item' && event.item.sku !== null
          ? [skuLock(event.ref.shopDomain, event.item.sku)]
          : [],
      ),
    ];
    const held = await this.repository.lockKeys(manager, keys, items);
    if (items.length > 0) {
      const missing = (await this.repository.itemSkus(manager, items))
        .map((mapped) => skuLock(mapped.shop, mapped.sku))
        .filter((key) => !held.has(key.key));
      if (missing.length > 0) throw new LocksMoved(missing);
    }
    for (const { event, index } of webhooks) {
      results[index] = await this.applyOne(manager, mode, event);
    }
    for (const [shop, deltas] of skuChanges.byShop()) {
      await this.repository.addSkuCommitments(manager, shop, deltas);
      const levels = await this.repository.levelsOfSkus(manager, shop, [...deltas.keys()]);
      // Each level's event is caused by the chunk's last order that moved its SKU.
      const causeOf = (row: LevelRow) => skuChanges.lastChange(shop, row.sku);
      const crossed = await this.evaluate(
        manager,
        shop,
        levels,
        (row) => claimOf(events[causeOf(row)]).eventId,
      );
      for (const row of crossed) {
        const index = causeOf(row);
        results[index] = { ...results[index], lowStockEvents: results[index].lowStockEvents + 1 };
      }
    }
    return results;
  }

  private async applyOne(
    manager: EntityManager,
    mode: ChunkMode,
    event: InventoryEvent,
    onSkuChange: (deltas: Map<string, number>) => void = () => undefined,
  ): Promise<ApplyResult> {
    try {
      // Isolated per event: data Postgres refuses undoes only this event (counted as
      // rejected); the rest of the chunk still commits. An order's SKU change is handed over
      // only once its state is saved, so a rejected order moves no SKU.
      const handed: { deltas?: Map<string, number> } = {};
      const result = await mode.isolate('inventory_event', () =>
        this.apply(manager, mode, event, (deltas) => (handed.deltas = deltas)),
      );
      if (handed.deltas) onSkuChange(handed.deltas);
      return result;
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
    onSkuChange: (deltas: Map<string, number>) => void,
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
        const crossed = await this.evaluate(
          manager,
          ref.shopDomain,
          await this.repository.levelsOfItems(manager, ref.shopDomain, [level.inventoryItemId]),
          () => ref.webhookId,
        );
        return { outcome: 'applied', lowStockEvents: crossed.length };
      }
      case 'item': {
        const { ref, item } = event;
        if (!(await mode.claim(INBOX.inventory, ref.webhookId))) return none('duplicate');
        if ((await this.repository.upsertItem(manager, ref.shopDomain, item)) === 'stale') {
          return none('stale');
        }
        // The SKU may have just become known (or changed): the item's levels now count its orders.
        const crossed = await this.evaluate(
          manager,
          ref.shopDomain,
          await this.repository.levelsOfItems(manager, ref.shopDomain, [item.inventoryItemId]),
          () => ref.webhookId,
        );
        return { outcome: 'applied', lowStockEvents: crossed.length };
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
        for (const delta of change.deltas.values()) {
          // What the per-SKU total (Postgres integer) could never hold: refused like data
          // Postgres refuses, so only this event is rejected.
          if (Math.abs(delta) > MAX_INT4)
            throw Object.assign(new Error('quantity out of range'), { code: '22003' });
        }
        await this.repository.saveCommitment(
          manager,
          order.shopDomain,
          order.orderId,
          change.state,
        );
        // The SKU totals and the low-stock decisions follow for the whole chunk, under the SKUs'
        // keys (`applyTogether`, step 3).
        if (change.deltas.size > 0) onSkuChange(change.deltas);
        return none(change.changed ? 'applied' : 'unchanged');
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
   * `inventory.level.low.v1` per level that fell below the threshold. Runs under the keys of the
   * levels' items or SKUs (`inventory.locks.ts`), so the level and its commitment are read as one
   * state. Returns the levels that crossed (one event each, caused by `causationOf(level)`).
   */
  private async evaluate(
    manager: EntityManager,
    shop: string,
    levels: LevelRow[],
    causationOf: (row: LevelRow) => string,
  ): Promise<LevelRow[]> {
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
          causationId: causationOf(row),
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
          headers: {
            // 'event-type' as before, for readers of the old name; the rest as every domain event.
            'event-type': event.type,
            [DomainEventHeader.EventId]: event.eventId,
            [DomainEventHeader.EventType]: event.type,
            ...(event.causationId ? { [DomainEventHeader.CausationId]: event.causationId } : {}),
            [DomainEventHeader.ContentType]: 'application/json',
          },
        };
      }),
    );
    return crossed;
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
