import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import { returnedRows } from '../database/sql-rows';
import { emailHash } from './sync-events';

/** What an ERP redaction covers: the customer (by id and/or their orders), or the whole shop. */
export type ErpRedactScope =
  { scope: 'customer'; customerId: string | null; orderIds: string[] } | { scope: 'shop' };

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

const CUSTOMER_MATCH = `shop_domain = $1 AND (customer_id = $2::bigint OR email_hash = $3)`;

/**
 * Privacy in the sync schema. The ERP got the customer's data from us, so erasure here also
 * queues an ERP job (`POST …/redact`) that the worker delivers with retries; both are recorded.
 */
@Injectable()
export class SyncPrivacyRepository {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  /**
   * Strips the customer from the stored order payloads (an unsynced order is sent without it);
   * returns the ids of their orders.
   */
  async eraseCustomer(
    manager: EntityManager,
    shopDomain: string,
    customerId: string | null,
    email: string | null,
  ): Promise<string[]> {
    return this.eraseReturning(manager, CUSTOMER_MATCH, [
      shopDomain,
      customerId,
      email ? emailHash(email) : null,
    ]);
  }

  async eraseShop(manager: EntityManager, shopDomain: string): Promise<number> {
    return (await this.eraseReturning(manager, 'shop_domain = $1', [shopDomain])).length;
  }

  private async eraseReturning(
    manager: EntityManager,
    where: string,
    params: unknown[],
  ): Promise<string[]> {
    const result: unknown = await manager.query(
      `UPDATE sync.order_syncs
          SET payload = payload || '{"email": null, "customer": null}'::jsonb,
              customer_id = NULL, email_hash = NULL, redacted_at = now(), updated_at = now()
        WHERE ${where} RETURNING order_id::text AS "orderId"`,
      params,
    );
    return returnedRows<{ orderId: string }>(result).map((row) => row.orderId);
  }

  /**
   * Deletes the content of the customer's data-request exports (the request's log row stays):
   * matched by customer id, or by the email an exported order carried.
   */
  async eraseCustomerExports(
    manager: EntityManager,
    shopDomain: string,
    customerId: string | null,
    email: string | null,
  ): Promise<number> {
    const result: unknown = await manager.query(
      `UPDATE sync.privacy_requests SET export = NULL
        WHERE shop_domain = $1 AND export IS NOT NULL
          AND (customer_id = $2::bigint
               OR ($3::text IS NOT NULL AND EXISTS (
                 SELECT 1 FROM jsonb_array_elements(
                   CASE WHEN jsonb_typeof(export -> 'forwardedToErp') = 'array'
                        THEN export -> 'forwardedToErp' ELSE '[]'::jsonb END) AS o
                  WHERE lower(trim(o ->> 'email')) = lower(trim($3))
                     OR lower(trim(o #>> '{customer,email}')) = lower(trim($3)))))
        RETURNING id`,
      [shopDomain, customerId, email],
    );
    return returnedRows(result).length;
  }

  async eraseShopExports(manager: EntityManager, shopDomain: string): Promise<number> {
    const result: unknown = await manager.query(
      `UPDATE sync.privacy_requests SET export = NULL
        WHERE shop_domain = $1 AND export IS NOT NULL RETURNING id`,
      [shopDomain],
    );
    return returnedRows(result).length;
  }

  async queueErpRedact(
    manager: EntityManager,
    shopDomain: string,
    target: ErpRedactScope,
    webhookId: string,
    traceContext: Record<string, string> = {},
  ): Promise<void> {
    const customer = target.scope === 'customer' ? target : null;
    await manager.query(
      `INSERT INTO sync.erp_jobs
         (shop_domain, kind, scope, customer_id, order_ids, webhook_id, status, trace_context)
       VALUES ($1, 'redact', $2, $3, $4::text[], $5, 'pending', $6::jsonb)
       ON CONFLICT (webhook_id) DO NOTHING`,
      [
        shopDomain,
        target.scope,
        customer?.customerId ?? null,
        customer?.orderIds ?? [],
        webhookId,
        JSON.stringify(traceContext),
      ],
    );
  }

  exportCustomer(
    manager: EntityManager,
    shopDomain: string,
    customerId: string | null,
    email: string | null,
  ) {
    return manager.query(
      `SELECT order_id::text AS "orderId", status, synced_at AS "syncedAt",
              payload->'email' AS email, payload->'customer' AS customer
         FROM sync.order_syncs WHERE ${CUSTOMER_MATCH} ORDER BY order_id`,
      [shopDomain, customerId, email ? emailHash(email) : null],
    ) as Promise<Record<string, unknown>[]>;
  }

  async deactivateShop(manager: EntityManager, shopDomain: string): Promise<number> {
    await manager.query(
      `INSERT INTO sync.shops (shop_domain, active, uninstalled_at, updated_at)
       VALUES ($1, false, now(), now())
       ON CONFLICT (shop_domain) DO UPDATE SET active = false, uninstalled_at = now(), updated_at = now()`,
      [shopDomain],
    );
    const result: unknown = await manager.query(
      `UPDATE sync.order_syncs SET status = 'cancelled', last_error = 'shop uninstalled the app',
              updated_at = now()
        WHERE shop_domain = $1 AND status IN ('pending', 'failed') RETURNING order_id`,
      [shopDomain],
    );
    return returnedRows(result).length;
  }

  async record(
    manager: EntityManager,
    entry: Omit<PrivacyRecord, 'id' | 'completedAt'>,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO sync.privacy_requests (shop_domain, kind, customer_id, webhook_id, affected, export)
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
         FROM sync.privacy_requests WHERE shop_domain = $1 ORDER BY id`,
      [shopDomain],
    );
  }
}
