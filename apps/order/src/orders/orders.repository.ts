import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import { OrderLineItemEntity } from './order-line-item.entity';
import { OrderEntity } from './order.entity';
import type { LineItemState, OrderState } from './order-payload';

export interface WebhookMeta {
  shopDomain: string;
  webhookId: string;
  shopifyTopic: string;
  receivedAt: string;
}

/** List filters; a status of null matches orders without one. */
export interface OrderFilters {
  financialStatus?: string | null;
  fulfillmentStatus?: string | null;
  cancelled?: boolean;
  /** Inclusive lower and exclusive upper bound on Shopify's `created_at` (ISO 8601). */
  createdFrom?: string;
  createdTo?: string;
  /** The name the shop shows (`#1001`): what an operator quotes ("order #1234 never arrived"). */
  name?: string;
}

export type UpsertOutcome = 'inserted' | 'updated' | 'stale';

export interface UpsertResult {
  outcome: UpsertOutcome;
  /** This webhook moved the order to a newer `updated_at` (or stored it first). */
  advanced: boolean;
  /** This webhook is the first to store the order cancelled. */
  newlyCancelled: boolean;
}

/** Orders in Postgres. Every statement is scoped by shop: an order id alone identifies nothing. */
@Injectable()
export class OrdersRepository {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * Inserts the order, or overwrites it unless the stored state is newer. An equal `updated_at`
   * is applied: several webhooks of one change (orders/paid and orders/updated) carry the same
   * state, and re-applying it changes nothing. The row lock this takes also orders the caller's
   * outbox rows for this order behind those of any concurrent transaction.
   */
  async upsertUnlessStale(
    manager: EntityManager,
    order: OrderState,
    meta: WebhookMeta,
  ): Promise<UpsertResult> {
    const customer = order.customer;
    const rows: { inserted: boolean; advanced: boolean; newly_cancelled: boolean }[] =
      await manager.query(
        `INSERT INTO orders.orders AS o (
           shop_domain, id, admin_graphql_api_id, name, order_number, email, currency,
           financial_status, fulfillment_status, total_price, subtotal_price, total_tax,
           total_discounts, cancelled_at, cancel_reason, created_at, updated_at,
           last_webhook_id, last_shopify_topic, received_at, applied_at,
           customer_id, customer_email, customer_first_name, customer_last_name, customer_phone,
           version_webhook_id, cancelled_webhook_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, now(), $21, $22, $23, $24, $25,
                 $18, CASE WHEN $14::timestamptz IS NOT NULL THEN $18 END)
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
           version_webhook_id = CASE WHEN o.updated_at < EXCLUDED.updated_at
                                     THEN EXCLUDED.last_webhook_id ELSE o.version_webhook_id END,
           cancelled_webhook_id = COALESCE(o.cancelled_webhook_id, EXCLUDED.cancelled_webhook_id)
         WHERE o.updated_at <= EXCLUDED.updated_at
         RETURNING (xmax = 0) AS inserted,
                   version_webhook_id = last_webhook_id AS advanced,
                   coalesce(cancelled_webhook_id = last_webhook_id, false) AS newly_cancelled`,
        [
          meta.shopDomain,
          order.id,
          order.adminGraphqlApiId,
          order.name,
          order.orderNumber,
          order.email,
          order.currency,
          order.financialStatus,
          order.fulfillmentStatus,
          order.totalPrice,
          order.subtotalPrice,
          order.totalTax,
          order.totalDiscounts,
          order.cancelledAt,
          order.cancelReason,
          order.createdAt,
          order.updatedAt,
          meta.webhookId,
          meta.shopifyTopic,
          meta.receivedAt,
          customer?.id ?? null,
          customer?.email ?? null,
          customer?.firstName ?? null,
          customer?.lastName ?? null,
          customer?.phone ?? null,
        ],
      );
    if (rows.length === 0) return { outcome: 'stale', advanced: false, newlyCancelled: false };
    const [row] = rows;
    return {
      outcome: row.inserted ? 'inserted' : 'updated',
      advanced: row.advanced,
      newlyCancelled: row.newly_cancelled,
    };
  }

  async countStaleUpdate(
    manager: EntityManager,
    shopDomain: string,
    orderId: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE orders.orders SET stale_updates_skipped = stale_updates_skipped + 1
       WHERE shop_domain = $1 AND id = $2`,
      [shopDomain, orderId],
    );
  }

  /** The payload lists all of an order's lines, so the stored ones are replaced as a whole. */
  async replaceLineItems(
    manager: EntityManager,
    shopDomain: string,
    orderId: string,
    items: LineItemState[],
  ): Promise<void> {
    await manager.query(
      `DELETE FROM orders.order_line_items WHERE shop_domain = $1 AND order_id = $2`,
      [shopDomain, orderId],
    );
    if (items.length === 0) return;
    // One statement with array parameters, however many lines: the parameter count stays fixed.
    await manager.query(
      `INSERT INTO orders.order_line_items
         (shop_domain, order_id, id, position, product_id, variant_id, sku, title, quantity, price)
       SELECT $1, $2, line.id, line.position, line.product_id, line.variant_id, line.sku, line.title,
              line.quantity, line.price
       FROM unnest($3::bigint[], $4::int[], $5::bigint[], $6::bigint[], $7::text[], $8::text[],
                   $9::int[], $10::numeric[])
            AS line(id, position, product_id, variant_id, sku, title, quantity, price)`,
      [
        shopDomain,
        orderId,
        items.map((item) => item.id),
        items.map((_, index) => index),
        items.map((item) => item.productId),
        items.map((item) => item.variantId),
        items.map((item) => item.sku),
        items.map((item) => item.title),
        items.map((item) => item.quantity),
        items.map((item) => item.price),
      ],
    );
  }

  /** The stored lines, for an event about a webhook that carried none. */
  async storedLineItems(
    manager: EntityManager,
    shopDomain: string,
    orderId: string,
  ): Promise<LineItemState[]> {
    const rows: {
      id: string;
      product_id: string | null;
      variant_id: string | null;
      sku: string | null;
      title: string | null;
      quantity: number;
      price: string | null;
    }[] = await manager.query(
      `SELECT id, product_id, variant_id, sku, title, quantity, price
       FROM orders.order_line_items WHERE shop_domain = $1 AND order_id = $2 ORDER BY position`,
      [shopDomain, orderId],
    );
    return rows.map((row) => ({
      id: row.id,
      productId: row.product_id,
      variantId: row.variant_id,
      sku: row.sku,
      title: row.title,
      quantity: row.quantity,
      price: row.price,
    }));
  }

  findOrder(shopDomain: string, id: string): Promise<OrderEntity | null> {
    return this.dataSource.getRepository(OrderEntity).findOne({ where: { shopDomain, id } });
  }

  findLineItems(shopDomain: string, orderId: string): Promise<OrderLineItemEntity[]> {
    return this.dataSource
      .getRepository(OrderLineItemEntity)
      .find({ where: { shopDomain, orderId }, order: { position: 'ASC' } });
  }

  /** A page of a shop's orders by ascending id, starting after `afterId`, filtered. */
  listOrders(
    shopDomain: string,
    afterId: string | null,
    limit: number,
    filters: OrderFilters = {},
  ): Promise<OrderEntity[]> {
    const query = this.dataSource
      .getRepository(OrderEntity)
      .createQueryBuilder('o')
      .where('o.shop_domain = :shopDomain', { shopDomain })
      .orderBy('o.id', 'ASC')
      .limit(limit);
    if (afterId !== null) query.andWhere('o.id > :afterId', { afterId });
    for (const [column, value] of [
      ['financial_status', filters.financialStatus],
      ['fulfillment_status', filters.fulfillmentStatus],
    ] as const) {
      if (value === undefined) continue;
      if (value === null) query.andWhere(`o.${column} IS NULL`);
      else query.andWhere(`o.${column} = :${column}`, { [column]: value });
    }
    if (filters.cancelled !== undefined) {
      query.andWhere(filters.cancelled ? 'o.cancelled_at IS NOT NULL' : 'o.cancelled_at IS NULL');
    }
    if (filters.createdFrom) {
      query.andWhere('o.created_at >= :createdFrom', { createdFrom: filters.createdFrom });
    }
    if (filters.createdTo) {
      query.andWhere('o.created_at < :createdTo', { createdTo: filters.createdTo });
    }
    if (filters.name !== undefined) query.andWhere('o.name = :name', { name: filters.name });
    return query.getMany();
  }

  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }
}
