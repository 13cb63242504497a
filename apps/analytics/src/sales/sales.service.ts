import { Inject, Injectable } from '@nestjs/common';
import {
  applyChunkTogether,
  isDataError,
  journalStaleOutcomes,
  type ChunkMode,
} from '@shopwire/database';
import type { Logger } from '@shopwire/observability';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import {
  contributionOf,
  decide,
  deltasBetween,
  type Contribution,
  type DailyDelta,
  type ProductDelta,
} from './contribution';
import type { SalesOrderEvent } from './order-event';
import { SalesMetrics } from './sales.metrics';
import {
  contributionKey,
  SalesRepository,
  type DailySalesRow,
  type TopProductRow,
} from './sales.repository';

/** Inbox consumer names: one per source, so ids from different sources never collide. */
export const INBOX = {
  orders: 'analytics.order-events',
  compliance: 'analytics.compliance',
} as const;

export type AnalyticsEvent =
  | { kind: 'order'; event: SalesOrderEvent }
  | { kind: 'compliance'; shopDomain: string; webhookId: string; shopifyTopic: string };

export type ApplyOutcome = 'applied' | 'unchanged' | 'stale' | 'duplicate' | 'rejected';

/** What a compliance request means here: analytics holds no personal data. */
const PRIVACY_OUTCOME: Record<string, string> = {
  'customers/redact': 'completed: no personal data held',
  'shop/redact': 'completed: no personal data held',
  'customers/data_request': 'completed: no personal data held, nothing to export',
};

interface Deltas {
  daily: (DailyDelta & { shop: string })[];
  products: (ProductDelta & { shop: string })[];
}

function addDeltas(
  into: Deltas,
  shop: string,
  deltas: { daily: DailyDelta[]; products: ProductDelta[] },
): void {
  into.daily.push(...deltas.daily.map((d) => ({ ...d, shop })));
  into.products.push(...deltas.products.map((p) => ({ ...p, shop })));
}

const shopOf = (e: AnalyticsEvent) => (e.kind === 'order' ? e.event.shopDomain : e.shopDomain);

@Injectable()
export class SalesService {
  constructor(
    @Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly repository: SalesRepository,
    private readonly metrics: SalesMetrics,
  ) {}

  /**
   * Applies a chunk in one transaction, in order: each event claims its id in the inbox, then
   * replaces its order's contribution unless it is older. Set-based: the chunk's contributions
   * are read in one statement, decided in order here, and written in one statement per table
   * (`applyTogether`); only if Postgres refuses some event's data is the chunk redone one event
   * at a time with a savepoint each (`applyChunkTogether`). Metrics are counted after the commit.
   */
  async applyEvents(events: AnalyticsEvent[]): Promise<ApplyOutcome[]> {
    const claims = events.map((e) =>
      e.kind === 'order'
        ? { consumer: INBOX.orders, eventId: e.event.eventId }
        : { consumer: INBOX.compliance, eventId: e.webhookId },
    );
    const outcomes = await applyChunkTogether(this.dataSource, claims, {
      together: async (manager, claimed) => {
        await this.prepare(manager, events);
        const results = await this.applyTogether(manager, claimed, events);
        await journalStaleOutcomes(
          manager,
          claims.map((c) => c.eventId),
          results,
        );
        return results;
      },
      oneByOne: async (manager, mode) => {
        await this.prepare(manager, events);
        const deltas: Deltas = { daily: [], products: [] };
        const results: ApplyOutcome[] = [];
        for (const event of events) {
          results.push(await this.applyOne(manager, mode, event, deltas));
        }
        await this.repository.addDeltas(manager, deltas.daily, deltas.products);
        await journalStaleOutcomes(
          manager,
          claims.map((c) => c.eventId),
          results,
        );
        return results;
      },
    });
    outcomes.forEach((outcome, index) =>
      this.metrics.events.inc({ kind: events[index].kind, outcome }),
    );
    return outcomes;
  }

  private async prepare(manager: EntityManager, events: AnalyticsEvent[]): Promise<void> {
    await this.repository.lockOrders(
      manager,
      events.flatMap((e) =>
        e.kind === 'order' ? [`${e.event.shopDomain}/${e.event.order.id}`] : [],
      ),
    );
    await this.repository.ensureShops(manager, events.map(shopOf));
  }

  /**
   * The whole chunk: contributions read in one statement, each event decided in order against
   * the newest one (stored or an earlier event's), then one write per order with its last
   * applied contribution, the stale counts and the grouped deltas.
   */
  private async applyTogether(
    manager: EntityManager,
    claimed: (consumer: string, eventId: string) => boolean,
    events: AnalyticsEvent[],
  ): Promise<ApplyOutcome[]> {
    const fresh = events.map((e) =>
      e.kind === 'order'
        ? claimed(INBOX.orders, e.event.eventId)
        : claimed(INBOX.compliance, e.webhookId),
    );
    const refs = events.flatMap((e, index) =>
      e.kind === 'order' && fresh[index]
        ? [{ shop: e.event.shopDomain, orderId: e.event.order.id }]
        : [],
    );
    const current = await this.repository.loadContributions(manager, refs);
    const saves = new Map<
      string,
      { shop: string; orderId: string; c: Contribution; eventId: string }
    >();
    const stale = new Map<string, { shop: string; orderId: string; count: number }>();
    const deltas: Deltas = { daily: [], products: [] };
    const results: ApplyOutcome[] = [];
    for (const [index, event] of events.entries()) {
      if (!fresh[index]) {
        results.push('duplicate');
        continue;
      }
      if (event.kind === 'compliance') {
        results.push(await this.applyCompliance(manager, event));
        continue;
      }
      const { event: order } = event;
      const shop = order.shopDomain;
      const orderId = order.order.id;
      const key = contributionKey(shop, orderId);
      const previous = current.get(key) ?? null;
      const next = contributionOf(order);
      const decision = decide(previous, next);
      if (decision === 'stale') {
        const entry = stale.get(key) ?? { shop, orderId, count: 0 };
        entry.count += 1;
        stale.set(key, entry);
        results.push('stale');
        continue;
      }
      if (decision === 'unchanged') {
        results.push('unchanged');
        continue;
      }
      current.set(key, next);
      saves.set(key, { shop, orderId, c: next, eventId: order.eventId });
      addDeltas(deltas, shop, deltasBetween(previous, next));
      results.push('applied');
    }
    await this.repository.saveContributions(manager, [...saves.values()]);
    await this.repository.countStaleMany(manager, [...stale.values()]);
    await this.repository.addDeltas(manager, deltas.daily, deltas.products);
    return results;
  }

  private async applyOne(
    manager: EntityManager,
    mode: ChunkMode,
    event: AnalyticsEvent,
    deltas: Deltas,
  ): Promise<ApplyOutcome> {
    try {
      // Isolated per event: data Postgres refuses undoes only this event (and its deltas are
      // only kept once it succeeded); the rest of the chunk still commits.
      return await mode.isolate('analytics_event', async () => {
        if (event.kind === 'compliance') {
          if (!(await mode.claim(INBOX.compliance, event.webhookId))) return 'duplicate';
          return this.applyCompliance(manager, event);
        }
        const { event: order } = event;
        const shop = order.shopDomain;
        if (!(await mode.claim(INBOX.orders, order.eventId))) return 'duplicate';
        const previous = await this.repository.loadContribution(manager, shop, order.order.id);
        const next = contributionOf(order);
        const decision = decide(previous, next);
        if (decision === 'stale') {
          await this.repository.countStale(manager, shop, order.order.id);
          return 'stale';
        }
        if (decision === 'unchanged') return 'unchanged';
        await this.repository.saveContribution(manager, shop, order.order.id, next, order.eventId);
        addDeltas(deltas, shop, deltasBetween(previous, next));
        return 'applied';
      });
    } catch (error) {
      if (!isDataError(error)) throw error; // an outage: the whole chunk is retried
      this.logger.warn(
        { kind: event.kind, shopDomain: shopOf(event), code: (error as { code?: string }).code },
        'analytics event rejected by the database; skipped',
      );
      return 'rejected';
    }
  }

  private async applyCompliance(
    manager: EntityManager,
    event: Extract<AnalyticsEvent, { kind: 'compliance' }>,
  ): Promise<ApplyOutcome> {
    if (event.shopifyTopic === 'app/uninstalled') {
      await this.repository.markShopUninstalled(manager, event.shopDomain);
    } else {
      await this.repository.recordPrivacyRequest(
        manager,
        event.shopDomain,
        event.webhookId,
        event.shopifyTopic,
        PRIVACY_OUTCOME[event.shopifyTopic] ?? 'completed: nothing held',
      );
    }
    return 'applied';
  }

  async dailySales(
    shop: string,
    from: string,
    to: string,
  ): Promise<{ days: DailySalesRow[]; totals: DailySalesRow[] }> {
    const [days, totals] = await Promise.all([
      this.repository.dailySales(shop, from, to),
      this.repository.totals(shop, from, to),
    ]);
    return { days, totals };
  }

  topProducts(
    shop: string,
    from: string,
    to: string,
    by: 'units' | 'revenue',
    limit: number,
  ): Promise<TopProductRow[]> {
    return this.repository.topProducts(shop, from, to, by, limit);
  }
}
