import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { ORDER_DATA_SOURCE } from '../database/order-data-source';
import type { ComplianceCustomer as CustomerRef } from '@shopwire/contracts';

/** Columns that hold personal data on `orders.orders`; all are nulled by a redact. */
const ERASE_PII = `email = NULL, customer_email = NULL, customer_first_name = NULL,
  customer_last_name = NULL, customer_phone = NULL`;

// The customer's orders in a shop: by customer id, by email (order or customer), or listed by
// Shopify (orders_to_redact / orders_requested). $1 shop, $2 customer id, $3 email, $4 order ids.
const CUSTOMER_ORDERS = `shop_domain = $1 AND (
  customer_id = $2::bigint
  OR ($3::text IS NOT NULL AND (lower(email) = lower($3) OR lower(customer_email) = lower($3)))
  OR id = ANY($4::bigint[]))`;

// Outbox rows carry the order (with its customer) as JSON: the event is kept, the person is not.
const SCRUB_OUTBOX = `
  UPDATE orders.outbox AS ob SET value = convert_to(
    jsonb_set(
      jsonb_set(s.v, '{data,order,email}', 'null'::jsonb),
      '{data,order,customer}',
      CASE WHEN jsonb_typeof(s.v #> '{data,order,customer}') = 'object'
           THEN jsonb_build_object('id', s.v #> '{data,order,customer,id}', 'email', NULL,
                                   'firstName', NULL, 'lastName', NULL, 'phone', NULL)
           ELSE 'null'::jsonb END
    )::text, 'UTF8')
  FROM (SELECT id, convert_from(value, 'UTF8')::jsonb AS v FROM orders.outbox WHERE %WHERE%) AS s
  WHERE ob.id = s.id AND s.v #> '{data,order}' IS NOT NULL`;

/**
 * The rows of an UPDATE/DELETE … RETURNING: TypeORM's `query` hands those back as
 * `[rows, affectedCount]`, unlike SELECT and INSERT.
 */
function returned<T>(result: unknown): T[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0])) {
    return result[0] as T[];
  }
  return result as T[];
}

export interface PrivacyRequestRecord {
  kind: string;
  shopDomain: string;
  shopId: string | null;
  customerId: string | null;
  dataRequestId: string | null;
  webhookId: string;
  receivedAt: string;
  rowsAffected: number;
}

export interface ExportRow {
  id: string;
  shop_domain: string;
  customer_id: string | null;
  data_request_id: string | null;
  created_at: Date;
  order_count: number;
  export?: unknown;
}

export interface ShopRow {
  shop_domain: string;
  shop_id: string | null;
  active: boolean;
  uninstalled_at: Date | null;
  redacted_at: Date | null;
}

/** The privacy side of `orders.*`: erasure, exports, shop state and the request log. */
@Injectable()
export class PrivacyRepository {
  constructor(@Inject(ORDER_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /** Erases the customer's personal data from their orders, events and exports; returns rows. */
  async redactCustomer(
    manager: EntityManager,
    shopDomain: string,
    customer: CustomerRef,
    orderIds: string[],
  ): Promise<number> {
    const erased = returned<{ id: string }>(
      await manager.query(
        `UPDATE orders.orders SET ${ERASE_PII} WHERE ${CUSTOMER_ORDERS} RETURNING id`,
        [shopDomain, customer.id, customer.email, orderIds],
      ),
    );
    if (erased.length > 0) {
      await manager.query(SCRUB_OUTBOX.replace('%WHERE%', 'key = ANY($1::text[])'), [
        erased.map((row) => `${shopDomain}/${row.id}`),
      ]);
    }
    const exports = returned(
      await manager.query(
        `DELETE FROM orders.privacy_exports WHERE shop_domain = $1 AND (customer_id = $2
           OR ($3::text IS NOT NULL AND lower(export #>> '{customer,email}') = lower($3)))
         RETURNING id`,
        [shopDomain, customer.id, customer.email],
      ),
    );
    return erased.length + exports.length;
  }

  /** Erases every order's personal data in the shop, its events' and all its exports. */
  async redactShop(
    manager: EntityManager,
    shopDomain: string,
    shopId: string | null,
  ): Promise<number> {
    const erased = returned(
      await manager.query(
        `UPDATE orders.orders SET ${ERASE_PII} WHERE shop_domain = $1 RETURNING id`,
        [shopDomain],
      ),
    );
    await manager.query(SCRUB_OUTBOX.replace('%WHERE%', "left(key, length($1) + 1) = $1 || '/'"), [
      shopDomain,
    ]);
    const exports = returned(
      await manager.query(
        'DELETE FROM orders.privacy_exports WHERE shop_domain = $1 RETURNING id',
        [shopDomain],
      ),
    );
    await manager.query(
      `INSERT INTO orders.shops (shop_domain, shop_id, active, redacted_at)
       VALUES ($1, $2, false, now())
       ON CONFLICT (shop_domain) DO UPDATE SET redacted_at = now(), active = false,
         shop_id = COALESCE(EXCLUDED.shop_id, orders.shops.shop_id), updated_at = now()`,
      [shopDomain, shopId],
    );
    return erased.length + exports.length;
  }

  async markUninstalled(
    manager: EntityManager,
    shopDomain: string,
    shopId: string | null,
    at: string,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO orders.shops (shop_domain, shop_id, active, uninstalled_at)
       VALUES ($1, $2, false, $3)
       ON CONFLICT (shop_domain) DO UPDATE SET active = false, uninstalled_at = EXCLUDED.uninstalled_at,
         shop_id = COALESCE(EXCLUDED.shop_id, orders.shops.shop_id), updated_at = now()`,
      [shopDomain, shopId, at],
    );
  }

  /** The customer's orders with their lines, as stored: the body of a data export. */
  async customerOrders(
    manager: EntityManager,
    shopDomain: string,
    customer: CustomerRef,
    orderIds: string[],
  ): Promise<Record<string, unknown>[]> {
    return manager.query(
      `SELECT o.id, o.name, o.order_number, o.email, o.currency, o.financial_status,
              o.fulfillment_status, o.total_price, o.subtotal_price, o.total_tax,
              o.total_discounts, o.created_at, o.updated_at, o.cancelled_at, o.cancel_reason,
              json_build_object('id', o.customer_id::text, 'email', o.customer_email,
                                'first_name', o.customer_first_name,
                                'last_name', o.customer_last_name,
                                'phone', o.customer_phone) AS customer,
              coalesce((SELECT json_agg(json_build_object(
                          'id', l.id::text, 'product_id', l.product_id::text,
                          'variant_id', l.variant_id::text, 'sku', l.sku, 'title', l.title,
                          'quantity', l.quantity, 'price', l.price::text) ORDER BY l.position)
                        FROM orders.order_line_items l
                        WHERE l.shop_domain = o.shop_domain AND l.order_id = o.id), '[]') AS line_items
       FROM orders.orders o WHERE ${CUSTOMER_ORDERS}
       ORDER BY o.id`,
      [shopDomain, customer.id, customer.email, orderIds],
    );
  }

  async insertExport(
    manager: EntityManager,
    row: {
      id: string;
      shopDomain: string;
      customerId: string | null;
      dataRequestId: string | null;
      webhookId: string;
      orderCount: number;
      export: unknown;
    },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO orders.privacy_exports
         (id, shop_domain, customer_id, data_request_id, webhook_id, order_count, export)
       VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
      [
        row.id,
        row.shopDomain,
        row.customerId,
        row.dataRequestId,
        row.webhookId,
        row.orderCount,
        JSON.stringify(row.export),
      ],
    );
  }

  async recordRequest(manager: EntityManager, record: PrivacyRequestRecord): Promise<void> {
    await manager.query(
      `INSERT INTO orders.privacy_requests
         (kind, shop_domain, shop_id, customer_id, data_request_id, webhook_id, received_at,
          completed_at, rows_affected)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8)
       ON CONFLICT (webhook_id) DO NOTHING`,
      [
        record.kind,
        record.shopDomain,
        record.shopId,
        record.customerId,
        record.dataRequestId,
        record.webhookId,
        record.receivedAt,
        record.rowsAffected,
      ],
    );
  }

  listExports(shopDomain: string, customerId: string | null): Promise<ExportRow[]> {
    return this.dataSource.query(
      `SELECT id, shop_domain, customer_id, data_request_id, created_at, order_count
       FROM orders.privacy_exports
       WHERE shop_domain = $1 AND ($2::text IS NULL OR customer_id = $2)
       ORDER BY created_at DESC LIMIT 100`,
      [shopDomain, customerId],
    );
  }

  async findExport(id: string): Promise<ExportRow | null> {
    const rows: ExportRow[] = await this.dataSource.query(
      `SELECT id, shop_domain, customer_id, data_request_id, created_at, order_count, export
       FROM orders.privacy_exports WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async findShop(shopDomain: string): Promise<ShopRow | null> {
    const rows: ShopRow[] = await this.dataSource.query(
      `SELECT shop_domain, shop_id, active, uninstalled_at, redacted_at
       FROM orders.shops WHERE shop_domain = $1`,
      [shopDomain],
    );
    return rows[0] ?? null;
  }

  listRequests(shopDomain: string): Promise<Record<string, unknown>[]> {
    return this.dataSource.query(
      `SELECT id::text, kind, shop_domain, shop_id, customer_id, data_request_id, webhook_id,
              received_at, completed_at, rows_affected
       FROM orders.privacy_requests WHERE shop_domain = $1 ORDER BY id DESC LIMIT 100`,
      [shopDomain],
    );
  }
}
