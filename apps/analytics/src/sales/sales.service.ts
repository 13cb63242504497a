import { Inject, Injectable } from '@nestjs/common';
import { applyChunk, isDataError, type ChunkMode } from '@shopwire/database';
import type { Logger } from '@shopwire/observability';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE, SERVICE_LOGGER } from '@shopwire/service-runtime';
import {
  contributionOf,
  decide,
  deltasBetween,
  type DailyDelta,
  type ProductDelta,
} from './contribution';
import type { SalesOrderEvent } from './order-event';
import { SalesMetrics } from './sales.metrics';
import { SalesRepository, type DailySalesRow, type TopProductRow } from './sales.repository';

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
   * replaces its order's contribution unless it is older. The aggregate deltas of the whole chunk
   * are written at the end, grouped. Metrics are counted after the commit.
   */
  async applyEvents(events: AnalyticsEvent[]): Promise<ApplyOutcome[]> {
    const claims = events.map((e) =>
      e.kind === 'order'
        ? { consumer: INBOX.orders, eventId: e.event.eventId }
        : { consumer: INBOX.compliance, eventId: e.webhookId },
    );
    const outcomes = await applyChunk(this.dataSource, claims, async (manager, mode) => {
      await this.repository.lockOrders(
        manager,
        events.flatMap((e) =>
          e.kind === 'order' ? [`${e.event.shopDomain}/${e.event.order.id}`] : [],
        ),
      );
      await this.repository.ensureShops(manager, events.map(shopOf));
      const daily: (DailyDelta & { shop: string })[] = [];
      const products: (ProductDelta & { shop: string })[] = [];
      const results: ApplyOutcome[] = [];
      for (const event of events) {
        results.push(await this.applyOne(manager, mode, event, daily, products));
      }
      await this.repository.addDeltas(manager, daily, products);
      return results;
    });
    outcomes.forEach((outcome, index) =>
      this.metrics.events.inc({ kind: events[index].kind, outcome }),
    );
    return outcomes;
  }

  private async applyOne(
    manager: EntityManager,
    mode: ChunkMode,
    event: AnalyticsEvent,
    daily: (DailyDelta & { shop: string })[],
    products: (ProductDelta & { shop: string })[],
  ): Promise<ApplyOutcome> {
    try {
      // Isolated per event: data Postgres refuses undoes only this event (and its deltas are
      // only kept once it succeeded); the rest of the chunk still commits.
      return await mode.isolate('analytics_event', async () => {
        if (event.kind === 'compliance') return this.applyCompliance(manager, mode, event);
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
        const deltas = deltasBetween(previous, next);
        daily.push(...deltas.daily.map((d) => ({ ...d, shop })));
        products.push(...deltas.products.map((p) => ({ ...p, shop })));
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
    mode: ChunkMode,
    event: Extract<AnalyticsEvent, { kind: 'compliance' }>,
  ): Promise<ApplyOutcome> {
    if (!(await mode.claim(INBOX.compliance, event.webhookId))) return 'duplicate';
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
