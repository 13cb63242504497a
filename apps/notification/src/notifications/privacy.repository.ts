import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import { recipientHash } from './notification-events';
import { returnedRows } from './sql-rows';

export interface PrivacyRecord {
  id: string;
  shopDomain: string;
  kind: string;
  customerId: string | null;
  webhookId: string;
  affected: number;
  export: unknown;
  completedAt: Date;
}

// Which rows belong to the customer: by Shopify customer id, or by the hashed address when the
// intent had no customer (a guest checkout) — the redact request carries both.
const CUSTOMER_MATCH = `shop_domain = $1 AND (customer_id = $2::bigint OR recipient_hash = $3)`;

/** Erasure, export and uninstall in the notification schema, each in the caller's transaction. */
@Injectable()
export class PrivacyRepository {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * Erases names, addresses and the order details kept for rendering. Emails not yet sent can no
   * longer be (they have no recipient) and are cancelled. The log rows stay, without personal data.
   */
  async eraseCustomer(
    manager: EntityManager,
    shopDomain: string,
    customerId: string | null,
    email: string | null,
  ): Promise<number> {
    return this.erase(manager, CUSTOMER_MATCH, [
      shopDomain,
      customerId,
      email ? recipientHash(email) : null,
    ]);
  }

  eraseShop(manager: EntityManager, shopDomain: string): Promise<number> {
    return this.erase(manager, 'shop_domain = $1', [shopDomain]);
  }

  private async erase(manager: EntityManager, where: string, params: unknown[]): Promise<number> {
    const result: unknown = await manager.query(
      `UPDATE notification.notifications
          SET recipient = NULL, recipient_hash = NULL, recipient_name = NULL, variables = NULL,
              customer_id = NULL, redacted_at = now(), updated_at = now(),
              status = CASE WHEN status = 'pending' THEN 'cancelled' ELSE status END,
              last_error = CASE WHEN status = 'pending' THEN 'redacted before sending'
                                ELSE last_error END
        WHERE ${where}
        RETURNING id`,
      params,
    );
    return returnedRows(result).length;
  }

  /**
   * Deletes the content of the customer's data-request exports (the request's log row stays):
   * matched by customer id, or by an address the export lists.
   */
  async eraseCustomerExports(
    manager: EntityManager,
    shopDomain: string,
    customerId: string | null,
    email: string | null,
  ): Promise<number> {
    const result: unknown = await manager.query(
      `UPDATE notification.privacy_requests SET export = NULL
        WHERE shop_domain = $1 AND export IS NOT NULL
          AND (customer_id = $2::bigint
               OR ($3::text IS NOT NULL AND EXISTS (
                 SELECT 1 FROM jsonb_array_elements(
                   CASE WHEN jsonb_typeof(export -> 'notifications') = 'array'
                        THEN export -> 'notifications' ELSE '[]'::jsonb END) AS n
                  WHERE lower(trim(n ->> 'recipient')) = lower(trim($3)))))
        RETURNING id`,
      [shopDomain, customerId, email],
    );
    return returnedRows(result).length;
  }

  async eraseShopExports(manager: EntityManager, shopDomain: string): Promise<number> {
    const result: unknown = await manager.query(
      `UPDATE notification.privacy_requests SET export = NULL
        WHERE shop_domain = $1 AND export IS NOT NULL RETURNING id`,
      [shopDomain],
    );
    return returnedRows(result).length;
  }

  /** What is held about the customer: for the merchant to hand over (customers/data_request). */
  async exportCustomer(
    manager: EntityManager,
    shopDomain: string,
    customerId: string | null,
    email: string | null,
  ): Promise<Record<string, unknown>[]> {
    return manager.query(
      `SELECT template, order_id::text AS "orderId", recipient, recipient_name AS "recipientName",
              status, created_at AS "createdAt", sent_at AS "sentAt"
         FROM notification.notifications WHERE ${CUSTOMER_MATCH} ORDER BY id`,
      [shopDomain, customerId, email ? recipientHash(email) : null],
    );
  }

  /** The shop uninstalled the app: nothing more is sent to or for it. */
  async deactivateShop(manager: EntityManager, shopDomain: string): Promise<number> {
    await manager.query(
      `INSERT INTO notification.shops (shop_domain, active, uninstalled_at, updated_at)
       VALUES ($1, false, now(), now())
       ON CONFLICT (shop_domain) DO UPDATE SET active = false, uninstalled_at = now(), updated_at = now()`,
      [shopDomain],
    );
    const result: unknown = await manager.query(
      `UPDATE notification.notifications
          SET status = 'cancelled', last_error = 'shop uninstalled the app', updated_at = now()
        WHERE shop_domain = $1 AND status = 'pending' RETURNING id`,
      [shopDomain],
    );
    return returnedRows(result).length;
  }

  async record(
    manager: EntityManager,
    entry: Omit<PrivacyRecord, 'id' | 'completedAt'>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO notification.privacy_requests
         (shop_domain, kind, customer_id, webhook_id, affected, export)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
      [
        entry.shopDomain,
        entry.kind,
        entry.customerId,
        entry.webhookId,
        entry.affected,
        entry.export === null ? null : JSON.stringify(entry.export),
      ],
    );
  }

  list(shopDomain: string): Promise<PrivacyRecord[]> {
    return this.dataSource.query(
      `SELECT id::text AS "id", shop_domain AS "shopDomain", kind, customer_id::text AS "customerId",
              webhook_id AS "webhookId", affected, export, completed_at AS "completedAt"
         FROM notification.privacy_requests WHERE shop_domain = $1 ORDER BY id`,
      [shopDomain],
    );
  }
}
