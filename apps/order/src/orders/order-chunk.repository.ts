import { Injectable } from '@nestjs/common';
import { RedoCarefully } from '@shopwire/database';
import type { EntityManager } from 'typeorm';
import { orderKey, type ChunkEvent, type OrderWrite } from './order-chunk';
import type { LineItemState } from './order-payload';
import type { UpsertResult } from './orders.repository';

type OrderRef = { shopDomain: string; orderId: string };

/**
 * A chunk's order statements, one per table whatever the chunk's size (`OrdersRepository` has
 * the one-event-at-a-time ones the careful path uses). Every statement is scoped by shop. IDs
 * travel as text and are cast by Postgres, never through a JS number.
 */
@Injectable()
export class OrderChunkRepository {
  /**
   * What applying the events one at a time would return for each, decided against the stored
   * rows, which it locks (in key order, so two chunks cannot deadlock on them): stale when older
   * than the newest state before it (the stored one or an earlier event's), inserted for the first
   * event of an order not stored, advanced when newer than that state, newly cancelled for the
   * first applied event stored cancelled.
   */
  async plan(manager: EntityManager, events: readonly ChunkEvent[]): Promise<UpsertResult[]> {
    const rows: {
      stale: boolean;
      inserted: boolean;
      advanced: boolean;
      newly_cancelled: boolean;
    }[] = await manager.query(
      `WITH e AS (
         SELECT * FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::boolean[])
           WITH ORDINALITY AS e(shop_domain, id, updated_at, cancelled, ord)
       ), stored AS (
         SELECT o.shop_domain, o.id, o.updated_at, o.cancelled_webhook_id IS NOT NULL AS cancelled
         FROM orders.orders o
         WHERE (o.shop_domain, o.id) IN (SELECT shop_domain, id FROM e)
         ORDER BY o.shop_domain, o.id
         FOR UPDATE
       ), turn AS (
         SELECT e.ord, e.cancelled, e.updated_at, s.id IS NOT NULL AS was_stored,
                coalesce(s.cancelled, false) AS stored_cancelled,
                row_number() OVER (PARTITION BY e.shop_domain, e.id ORDER BY e.ord) AS n,
                greatest(s.updated_at, max(e.updated_at) OVER earlier) AS newest,
                e.shop_domain, e.id
         FROM e LEFT JOIN stored s ON s.shop_domain = e.shop_domain AND s.id = e.id
         WINDOW earlier AS (PARTITION BY e.shop_domain, e.id ORDER BY e.ord
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
       ), judged AS (
         SELECT turn.*, coalesce(updated_at < newest, false) AS stale FROM turn
       )
       SELECT stale,
              NOT was_stored AND n = 1 AS inserted,
              NOT stale AND (newest IS NULL OR updated_at > newest) AS advanced,
              NOT stale AND cancelled AND NOT stored_cancelled
                AND NOT coalesce(bool_or(cancelled AND NOT stale) OVER (
                      PARTITION BY shop_domain, id ORDER BY ord
                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS newly_cancelled
       FROM judged ORDER BY ord`,
      [
        events.map((e) => e.meta.shopDomain),
        events.map((e) => e.order.id),
        events.map((e) => e.order.updatedAt),
        events.map((e) => e.order.cancelledAt !== null),
      ],
    );
    return rows.map((row) => ({
      outcome: row.stale ? 'stale' : row.inserted ? 'inserted' : 'updated',
      advanced: row.advanced,
      newlyCancelled: row.newly_cancelled,
    }));
  }

  /**
   * Inserts or overwrites each order with the chunk's last applied state. The rows were locked by
   * `plan`; an order it found missing may have been inserted by another transaction since, and
   * then the plan is wrong: `RedoCarefully` sends the chunk down the one-at-a-time path.
   */
  async write(manager: EntityManager, writes: readonly OrderWrite[]): Promise<void> {
    if (writes.length === 0) return;
    const column = <T>(pick: (w: OrderWrite) => T): T[] => writes.map(pick);
    const rows: { inserted: boolean }[] = await manager.query(
      `INSERT INTO orders.orders AS o (
         shop_domain, id, admin_graphql_api_id, name, order_number, email, currency,
         financial_status, fulfillment_status, total_price, subtotal_price, total_tax,
         total_discounts, cancelled_at, cancel_reason, created_at, updated_at,
         last_webhook_id, last_shopify_topic, received_at, applied_at,
         customer_id, customer_email, customer_first_name, customer_last_name, customer_phone,
         version_webhook_id, cancelled_webhook_id, stale_updates_skipped)
       SELECT w.shop_domain, w.id, w.admin_graphql_api_id, w.name, w.order_number, w.email,
              w.currency, w.financial_status, w.fulfillment_status, w.total_price,
              w.subtotal_price, w.total_tax, w.total_discounts, w.cancelled_at, w.cancel_reason,
              w.created_at, w.updated_at, w.last_webhook_id, w.last_shopify_topic, w.received_at,
              now(), w.customer_id, w.customer_email, w.customer_first_name, w.customer_last_name,
              w.customer_phone, w.version_webhook_id, w.cancelled_webhook_id,
              w.stale_updates_skipped
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[],
                   $7::text[], $8::text[], $9::text[], $10::numeric[], $11::numeric[],
                   $12::numeric[], $13::numeric[], $14::timestamptz[], $15::text[],
                   $16::timestamptz[], $17::timestamptz[], $18::text[], $19::text[],
                   $20::timestamptz[], $21::bigint[], $22::text[], $23::text[], $24::text[],
                   $25::text[], $26::text[], $27::text[], $28::int[])
            AS w(shop_domain, id, admin_graphql_api_id, name, order_number, email, currency,
                 financial_status, fulfillment_status, total_price, subtotal_price, total_tax,
                 total_discounts, cancelled_at, cancel_reason, created_at, updated_at,
                 last_webhook_id, last_shopify_topic, received_at, customer_id, customer_email,
                 customer_first_name, customer_last_name, customer_phone, version_webhook_id,
                 cancelled_webhook_id, stale_updates_skipped)
       ON CONFLICT (shop_domain, id) DO UPDATE SET
         admin_graphql_api_id = EXCLUDED.admin_graphql_api_id,
         name = EXCLUDED.name,
         order_number = EXCLUDED.order_number,
         email = EXCLUDED.email,
         currency = EXCLUDED.currency,
         financial_status = EXCLUDED.financial_status,
         fulfillment_status = EXCLUDED.fulfillment_status,
         total_price = EXCLUDED.total_price,
         subtotal_price = EXCLUDED.subtotal_price,
         total_tax = EXCLUDED.total_tax,
         total_discounts = EXCLUDED.total_discounts,
         cancelled_at = EXCLUDED.cancelled_at,
         cancel_reason = EXCLUDED.cancel_reason,
         created_at = EXCLUDED.created_at,
         updated_at = EXCLUDED.updated_at,
         last_webhook_id = EXCLUDED.last_webhook_id,
         last_shopify_topic = EXCLUDED.last_shopify_topic,
         received_at = EXCLUDED.received_at,
         applied_at = now(),
         customer_id = EXCLUDED.customer_id,
         customer_email = EXCLUDED.customer_email,
         customer_first_name = EXCLUDED.customer_first_name,
         customer_last_name = EXCLUDED.customer_last_name,
         customer_phone = EXCLUDED.customer_phone,
         version_webhook_id = coalesce(EXCLUDED.version_webhook_id, o.version_webhook_id),
         cancelled_webhook_id = coalesce(o.cancelled_webhook_id, EXCLUDED.cancelled_webhook_id),
         stale_updates_skipped = o.stale_updates_skipped + EXCLUDED.stale_updates_skipped
       WHERE o.updated_at <= EXCLUDED.updated_at
       RETURNING (xmax = 0) AS inserted`,
      [
        column((w) => w.meta.shopDomain),
        column((w) => w.order.id),
        column((w) => w.order.adminGraphqlApiId),
        column((w) => w.order.name),
        column((w) => w.order.orderNumber),
        column((w) => w.order.email),
        column((w) => w.order.currency),
        column((w) => w.order.financialStatus),
        column((w) => w.order.fulfillmentStatus),
        column((w) => w.order.totalPrice),
        column((w) => w.order.subtotalPrice),
        column((w) => w.order.totalTax),
        column((w) => w.order.totalDiscounts),
        column((w) => w.order.cancelledAt),
        column((w) => w.order.cancelReason),
        column((w) => w.order.createdAt),
        column((w) => w.order.updatedAt),
        column((w) => w.meta.webhookId),
        column((w) => w.meta.shopifyTopic),
        column((w) => w.meta.receivedAt),
        column((w) => w.order.customer?.id ?? null),
        column((w) => w.order.customer?.email ?? null),
        column((w) => w.order.customer?.firstName ?? null),
        column((w) => w.order.customer?.lastName ?? null),
        column((w) => w.order.customer?.phone ?? null),
        column((w) => w.versionWebhookId),
        column((w) => w.cancelledWebhookId),
        column((w) => w.staleSkipped),
      ],
    );
    const inserted = rows.filter((row) => row.inserted).length;
    if (rows.length !== writes.length || inserted !== writes.filter((w) => w.inserted).length) {
      throw new RedoCarefully(
        null,
        'an order of the chunk changed under its plan; redoing the chunk one event at a time',
      );
    }
  }

  /** Counts stale webhooks on orders the chunk otherwise left alone. */
  async countStale(
    manager: EntityManager,
    orders: readonly (OrderRef & { count: number })[],
  ): Promise<void> {
    if (orders.length === 0) return;
    await manager.query(
      `UPDATE orders.orders o SET stale_updates_skipped = o.stale_updates_skipped + s.n
       FROM unnest($1::text[], $2::bigint[], $3::int[]) AS s(shop_domain, id, n)
       WHERE o.shop_domain = s.shop_domain AND o.id = s.id`,
      [orders.map((o) => o.shopDomain), orders.map((o) => o.orderId), orders.map((o) => o.count)],
    );
  }

  /** Replaces the stored lines of each order with the given ones: two statements in all. */
  async replaceLineItems(
    manager: EntityManager,
    orders: readonly (OrderRef & { lines: readonly LineItemState[] })[],
  ): Promise<void> {
    if (orders.length === 0) return;
    await manager.query(
      `DELETE FROM orders.order_line_items l
       USING unnest($1::text[], $2::bigint[]) AS k(shop_domain, order_id)
       WHERE l.shop_domain = k.shop_domain AND l.order_id = k.order_id`,
      [orders.map((o) => o.shopDomain), orders.map((o) => o.orderId)],
    );
    const rows = orders.flatMap((o) =>
      o.lines.map((line, position) => ({
        shopDomain: o.shopDomain,
        orderId: o.orderId,
        line,
        position,
      })),
    );
    if (rows.length === 0) return;
    await manager.query(
      `INSERT INTO orders.order_line_items
         (shop_domain, order_id, id, position, product_id, variant_id, sku, title, quantity, price)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::int[], $5::bigint[],
                            $6::bigint[], $7::text[], $8::text[], $9::int[], $10::numeric[])`,
      [
        rows.map((r) => r.shopDomain),
        rows.map((r) => r.orderId),
        rows.map((r) => r.line.id),
        rows.map((r) => r.position),
        rows.map((r) => r.line.productId),
        rows.map((r) => r.line.variantId),
        rows.map((r) => r.line.sku),
        rows.map((r) => r.line.title),
        rows.map((r) => r.line.quantity),
        rows.map((r) => r.line.price),
      ],
    );
  }

  /** The stored lines of each order (none for one not stored), by `orderKey`. */
  async storedLineItems(
    manager: EntityManager,
    orders: readonly OrderRef[],
  ): Promise<Map<string, LineItemState[]>> {
    const byOrder = new Map<string, LineItemState[]>(
      orders.map((o) => [orderKey(o.shopDomain, o.orderId), []]),
    );
    if (orders.length === 0) return byOrder;
    const rows: {
      shop_domain: string;
      order_id: string;
      id: string;
      product_id: string | null;
      variant_id: string | null;
      sku: string | null;
      title: string | null;
      quantity: number;
      price: string | null;
    }[] = await manager.query(
      `SELECT l.shop_domain, l.order_id, l.id, l.product_id, l.variant_id, l.sku, l.title,
              l.quantity, l.price
       FROM orders.order_line_items l
       JOIN unnest($1::text[], $2::bigint[]) AS k(shop_domain, order_id)
         ON l.shop_domain = k.shop_domain AND l.order_id = k.order_id
       ORDER BY l.shop_domain, l.order_id, l.position`,
      [orders.map((o) => o.shopDomain), orders.map((o) => o.orderId)],
    );
    for (const row of rows) {
      byOrder.get(orderKey(row.shop_domain, row.order_id))?.push({
        id: row.id,
        productId: row.product_id,
        variantId: row.variant_id,
        sku: row.sku,
        title: row.title,
        quantity: row.quantity,
        price: row.price,
      });
    }
    return byOrder;
  }
}
