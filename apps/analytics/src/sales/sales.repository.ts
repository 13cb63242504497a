import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import type { Contribution, ContributionLine, DailyDelta, ProductDelta } from './contribution';

export interface DailySalesRow {
  day: string;
  currency: string;
  orders: number;
  gross: string;
  tax: string;
  discounts: string;
}

export interface TopProductRow {
  product_key: string;
  product_id: string | null;
  sku: string | null;
  title: string | null;
  currency: string;
  units: string;
  revenue: string;
}

export const contributionKey = (shop: string, orderId: string): string => `${shop}\u0000${orderId}`;

/** Analytics in Postgres. Every statement is scoped by shop. */
@Injectable()
export class SalesRepository {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * Serialises the events of one order across partitions (accepted, updated and cancelled come
   * on three topics): each reads the order's contribution and replaces it. Locks are taken in
   * sorted order at the start of the transaction, so two chunks never wait on each other in a
   * cycle.
   */
  async lockOrders(manager: EntityManager, keys: string[]): Promise<void> {
    await manager.query(
      `SELECT pg_advisory_xact_lock(k) FROM (
         SELECT DISTINCT hashtextextended('shopwire:analytics:' || s, 0) AS k
         FROM unnest($1::text[]) AS s ORDER BY 1) AS keys`,
      [keys],
    );
  }

  async ensureShops(manager: EntityManager, shops: string[]): Promise<void> {
    await manager.query(
      `INSERT INTO analytics.shops (shop_domain) SELECT unnest($1::text[])
       ON CONFLICT (shop_domain) DO NOTHING`,
      [[...new Set(shops)].sort()],
    );
  }

  async loadContribution(
    manager: EntityManager,
    shop: string,
    orderId: string,
  ): Promise<Contribution | null> {
    const rows: {
      version: Date;
      cancelled: boolean;
      counted: boolean;
      day: string;
      currency: string;
      gross: string;
      tax: string;
      discounts: string;
      lines: ContributionLine[];
    }[] = await manager.query(
      `SELECT version, cancelled, counted, to_char(day, 'YYYY-MM-DD') AS day, currency, gross,
              tax, discounts, lines
       FROM analytics.order_contributions WHERE shop_domain = $1 AND order_id = $2`,
      [shop, orderId],
    );
    if (rows.length === 0) return null;
    const [row] = rows;
    return { ...row, version: row.version.toISOString() };
  }

  async saveContribution(
    manager: EntityManager,
    shop: string,
    orderId: string,
    c: Contribution,
    eventId: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO analytics.order_contributions
         (shop_domain, order_id, version, cancelled, counted, day, currency, gross, tax, discounts,
          lines, last_event_id, changed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, now())
       ON CONFLICT (shop_domain, order_id) DO UPDATE SET
         version = EXCLUDED.version, cancelled = EXCLUDED.cancelled, counted = EXCLUDED.counted,
         day = EXCLUDED.day, currency = EXCLUDED.currency, gross = EXCLUDED.gross,
         tax = EXCLUDED.tax, discounts = EXCLUDED.discounts, lines = EXCLUDED.lines,
         last_event_id = EXCLUDED.last_event_id, changed_at = now()`,
      [
        shop,
        orderId,
        c.version,
        c.cancelled,
        c.counted,
        c.day,
        c.currency,
        c.gross,
        c.tax,
        c.discounts,
        JSON.stringify(c.lines),
        eventId,
      ],
    );
  }

  /** The stored contributions of many orders in one statement, by `contributionKey`. */
  async loadContributions(
    manager: EntityManager,
    orders: readonly { shop: string; orderId: string }[],
  ): Promise<Map<string, Contribution>> {
    const found = new Map<string, Contribution>();
    if (orders.length === 0) return found;
    const rows: ({ shop_domain: string; order_id: string; version: Date } & Omit<
      Contribution,
      'version'
    >)[] = await manager.query(
      `SELECT c.shop_domain, c.order_id, c.version, c.cancelled, c.counted,
              to_char(c.day, 'YYYY-MM-DD') AS day, c.currency, c.gross, c.tax, c.discounts, c.lines
       FROM analytics.order_contributions c
       JOIN unnest($1::text[], $2::bigint[]) AS k(shop_domain, order_id)
         ON c.shop_domain = k.shop_domain AND c.order_id = k.order_id`,
      [orders.map((o) => o.shop), orders.map((o) => o.orderId)],
    );
    for (const { shop_domain, order_id, version, ...rest } of rows) {
      found.set(contributionKey(shop_domain, order_id), {
        ...rest,
        version: version.toISOString(),
      });
    }
    return found;
  }

  /** `saveContribution` for many orders (each once) in one statement. */
  async saveContributions(
    manager: EntityManager,
    saves: readonly { shop: string; orderId: string; c: Contribution; eventId: string }[],
  ): Promise<void> {
    if (saves.length === 0) return;
    await manager.query(
      `INSERT INTO analytics.order_contributions
         (shop_domain, order_id, version, cancelled, counted, day, currency, gross, tax, discounts,
          lines, last_event_id, changed_at)
       SELECT shop_domain, order_id, version, cancelled, counted, day, currency, gross, tax,
              discounts, lines::jsonb, last_event_id, now()
       FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::boolean[], $5::boolean[],
                   $6::date[], $7::text[], $8::numeric[], $9::numeric[], $10::numeric[],
                   $11::text[], $12::text[])
            AS x(shop_domain, order_id, version, cancelled, counted, day, currency, gross, tax,
                 discounts, lines, last_event_id)
       ORDER BY shop_domain, order_id
       ON CONFLICT (shop_domain, order_id) DO UPDATE SET
         version = EXCLUDED.version, cancelled = EXCLUDED.cancelled, counted = EXCLUDED.counted,
         day = EXCLUDED.day, currency = EXCLUDED.currency, gross = EXCLUDED.gross,
         tax = EXCLUDED.tax, discounts = EXCLUDED.discounts, lines = EXCLUDED.lines,
         last_event_id = EXCLUDED.last_event_id, changed_at = now()`,
      [
        saves.map((s) => s.shop),
        saves.map((s) => s.orderId),
        saves.map((s) => s.c.version),
        saves.map((s) => s.c.cancelled),
        saves.map((s) => s.c.counted),
        saves.map((s) => s.c.day),
        saves.map((s) => s.c.currency),
        saves.map((s) => s.c.gross),
        saves.map((s) => s.c.tax),
        saves.map((s) => s.c.discounts),
        saves.map((s) => JSON.stringify(s.c.lines)),
        saves.map((s) => s.eventId),
      ],
    );
  }

  /** Stale events skipped, counted for many orders in one statement. */
  async countStaleMany(
    manager: EntityManager,
    counts: readonly { shop: string; orderId: string; count: number }[],
  ): Promise<void> {
    if (counts.length === 0) return;
    await manager.query(
      `UPDATE analytics.order_contributions c
       SET stale_events_skipped = c.stale_events_skipped + s.n
       FROM unnest($1::text[], $2::bigint[], $3::int[]) AS s(shop_domain, order_id, n)
       WHERE c.shop_domain = s.shop_domain AND c.order_id = s.order_id`,
      [counts.map((s) => s.shop), counts.map((s) => s.orderId), counts.map((s) => s.count)],
    );
  }

  async countStale(manager: EntityManager, shop: string, orderId: string): Promise<void> {
    await manager.query(
      `UPDATE analytics.order_contributions SET stale_events_skipped = stale_events_skipped + 1
       WHERE shop_domain = $1 AND order_id = $2`,
      [shop, orderId],
    );
  }

  /**
   * Adds a chunk's deltas to the daily aggregates in one statement each: grouped first (an
   * upsert may touch a row once), in key order (row locks always taken in the same order), and
   * summed as numeric by Postgres, never as floats.
   */
  async addDeltas(
    manager: EntityManager,
    daily: (DailyDelta & { shop: string })[],
    products: (ProductDelta & { shop: string })[],
  ): Promise<void> {
    if (daily.length > 0) {
      await manager.query(
        `INSERT INTO analytics.daily_sales AS d
           (shop_domain, day, currency, orders, gross, tax, discounts)
         SELECT shop, day, currency, sum(orders), sum(gross), sum(tax), sum(discounts)
         FROM unnest($1::text[], $2::date[], $3::text[], $4::int[], $5::numeric[], $6::numeric[],
                     $7::numeric[]) AS x(shop, day, currency, orders, gross, tax, discounts)
         GROUP BY shop, day, currency ORDER BY shop, day, currency
         ON CONFLICT (shop_domain, day, currency) DO UPDATE SET
           orders = d.orders + EXCLUDED.orders, gross = d.gross + EXCLUDED.gross,
           tax = d.tax + EXCLUDED.tax, discounts = d.discounts + EXCLUDED.discounts`,
        [
          daily.map((d) => d.shop),
          daily.map((d) => d.day),
          daily.map((d) => d.currency),
          daily.map((d) => d.orders),
          daily.map((d) => d.gross),
          daily.map((d) => d.tax),
          daily.map((d) => d.discounts),
        ],
      );
    }
    if (products.length > 0) {
      await manager.query(
        `INSERT INTO analytics.daily_product_sales AS p
           (shop_domain, day, currency, product_key, product_id, sku, title, units, revenue)
         SELECT shop, day, currency, product_key, max(product_id), max(sku), max(title),
                sum(units), sum(units * price)
         FROM unnest($1::text[], $2::date[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                     $7::text[], $8::int[], $9::numeric[])
              AS x(shop, day, currency, product_key, product_id, sku, title, units, price)
         GROUP BY shop, day, currency, product_key ORDER BY shop, day, currency, product_key
         ON CONFLICT (shop_domain, day, currency, product_key) DO UPDATE SET
           units = p.units + EXCLUDED.units, revenue = p.revenue + EXCLUDED.revenue,
           product_id = coalesce(EXCLUDED.product_id, p.product_id),
           sku = coalesce(EXCLUDED.sku, p.sku), title = coalesce(EXCLUDED.title, p.title)`,
        [
          products.map((p) => p.shop),
          products.map((p) => p.day),
          products.map((p) => p.currency),
          products.map((p) => p.productKey),
          products.map((p) => p.productId),
          products.map((p) => p.sku),
          products.map((p) => p.title),
          products.map((p) => p.units),
          products.map((p) => p.price),
        ],
      );
    }
  }

  async recordPrivacyRequest(
    manager: EntityManager,
    shop: string,
    webhookId: string,
    shopifyTopic: string,
    outcome: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO analytics.privacy_requests (webhook_id, shop_domain, shopify_topic, outcome)
       VALUES ($1, $2, $3, $4) ON CONFLICT (webhook_id) DO NOTHING`,
      [webhookId, shop, shopifyTopic, outcome],
    );
  }

  async markShopUninstalled(manager: EntityManager, shop: string): Promise<void> {
    await manager.query(
      `INSERT INTO analytics.shops (shop_domain, active, uninstalled_at) VALUES ($1, false, now())
       ON CONFLICT (shop_domain) DO UPDATE SET active = false, uninstalled_at = now()`,
      [shop],
    );
  }

  /**
   * Days with anything on them (an order later cancelled leaves an all-zero row: skipped). With
   * `manager`, read inside that transaction (a report job's step).
   */
  async dailySales(
    shop: string,
    from: string,
    to: string,
    manager?: EntityManager,
  ): Promise<DailySalesRow[]> {
    const rows: (Omit<DailySalesRow, 'orders'> & { orders: number })[] = await (
      manager ?? this.dataSource
    ).query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, currency, orders, gross::text, tax::text,
                discounts::text
         FROM analytics.daily_sales
         WHERE shop_domain = $1 AND day BETWEEN $2::date AND $3::date
           AND (orders <> 0 OR gross <> 0 OR tax <> 0 OR discounts <> 0)
         ORDER BY day, currency`,
      [shop, from, to],
    );
    return rows;
  }

  /** Totals per currency over the range (money is never added across currencies). */
  totals(shop: string, from: string, to: string): Promise<DailySalesRow[]> {
    return this.dataSource.query(
      `SELECT NULL AS day, currency, sum(orders)::int AS orders, sum(gross)::text AS gross,
              sum(tax)::text AS tax, sum(discounts)::text AS discounts
       FROM analytics.daily_sales
       WHERE shop_domain = $1 AND day BETWEEN $2::date AND $3::date
       GROUP BY currency HAVING sum(orders) <> 0 OR sum(gross) <> 0
       ORDER BY currency`,
      [shop, from, to],
    );
  }

  topProducts(
    shop: string,
    from: string,
    to: string,
    by: 'units' | 'revenue',
    limit: number,
  ): Promise<TopProductRow[]> {
    // `by` picks one of two fixed ORDER BY clauses; it is never spliced from input.
    const order =
      by === 'units' ? 'sum(units) DESC, sum(revenue) DESC' : 'sum(revenue) DESC, sum(units) DESC';
    return this.dataSource.query(
      `SELECT product_key, max(product_id)::text AS product_id, max(sku) AS sku, max(title) AS title,
              currency, sum(units)::text AS units, sum(revenue)::text AS revenue
       FROM analytics.daily_product_sales
       WHERE shop_domain = $1 AND day BETWEEN $2::date AND $3::date
       GROUP BY product_key, currency HAVING sum(units) <> 0 OR sum(revenue) <> 0
       ORDER BY ${order}, product_key, currency
       LIMIT $4`,
      [shop, from, to, limit],
    );
  }
}
