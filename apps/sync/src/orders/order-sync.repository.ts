import { Inject, Injectable } from '@nestjs/common';
import type { OrderData } from '@shopwire/contracts';
import { claimDue, type LeasedTable } from '@shopwire/outbound-delivery';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import { returnedRows } from '../database/sql-rows';
import { emailHash } from './sync-events';

export type SyncStatus = 'pending' | 'synced' | 'failed' | 'cancelled';

export interface DueOrder {
  shopDomain: string;
  orderId: string;
  payload: OrderData;
  attempts: number;
  /** W3C headers of the consumer span that recorded the order; the ERP call joins its trace. */
  traceContext: Record<string, string> | null;
}

export interface DueJob {
  id: string;
  shopDomain: string;
  kind: 'redact';
  scope: 'customer' | 'shop';
  customerId: string | null;
  orderIds: string[];
  attempts: number;
  traceContext: Record<string, string> | null;
}

export interface OrderSyncRow {
  shopDomain: string;
  orderId: string;
  eventId: string;
  status: SyncStatus;
  attempts: number;
  lastError: string | null;
  erpStatus: number | null;
  createdAt: Date;
  updatedAt: Date;
  syncedAt: Date | null;
  nextAttemptAt: Date;
}

const ROW = `shop_domain AS "shopDomain", order_id::text AS "orderId", event_id AS "eventId", status,
  attempts, last_error AS "lastError", erp_status AS "erpStatus", created_at AS "createdAt",
  updated_at AS "updatedAt", synced_at AS "syncedAt", next_attempt_at AS "nextAttemptAt"`;

const interval = (param: string) => `make_interval(secs => ${param}::double precision / 1000)`;

/** Orders not yet in the ERP (nor given up on) of active shops; the lease pushes the due time. */
const DUE_ORDERS: LeasedTable = {
  table: 'sync.order_syncs',
  key: ['shop_domain', 'order_id'],
  dueColumn: 'next_attempt_at',
  where: `c.status IN ('pending', 'failed') AND c.attempts < $3
    AND NOT EXISTS (SELECT 1 FROM sync.shops s
                     WHERE s.shop_domain = c.shop_domain AND NOT s.active)`,
  set: 'updated_at = now()',
  returning: `t.shop_domain AS "shopDomain", t.order_id::text AS "orderId", t.payload,
    t.attempts, t.trace_context AS "traceContext"`,
};

const DUE_JOBS: LeasedTable = {
  table: 'sync.erp_jobs',
  key: ['id'],
  dueColumn: 'next_attempt_at',
  where: `c.status = 'pending' AND c.attempts < $3`,
  returning: `t.id::text AS "id", t.shop_domain AS "shopDomain", t.kind, t.scope,
    t.customer_id::text AS "customerId", t.order_ids AS "orderIds", t.attempts,
    t.trace_context AS "traceContext"`,
};

/** SQL for order syncs and ERP jobs. Every statement is parameterised. */
@Injectable()
export class OrderSyncRepository {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async isShopActive(manager: EntityManager, shopDomain: string): Promise<boolean> {
    const rows: { active: boolean }[] = await manager.query(
      'SELECT active FROM sync.shops WHERE shop_domain = $1',
      [shopDomain],
    );
    return rows[0]?.active ?? true;
  }

  /**
   * One row per order, whichever event brought it first: the ERP is called once per order.
   * `traceContext` is the recording span's `traceparent` (and `tracestate`), kept so the ERP call
   * made later by the worker, outside this transaction, joins the webhook's trace.
   */
  async recordOrder(
    manager: EntityManager,
    shopDomain: string,
    eventId: string,
    order: OrderData,
    status: SyncStatus,
    traceContext: Record<string, string> = {},
  ): Promise<boolean> {
    const email = order.email ?? order.customer?.email ?? null;
    const rows: unknown[] = await manager.query(
      `INSERT INTO sync.order_syncs
         (shop_domain, order_id, event_id, customer_id, email_hash, payload, status, trace_context)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb)
       ON CONFLICT (shop_domain, order_id) DO NOTHING
       RETURNING order_id`,
      [
        shopDomain,
        order.id,
        eventId,
        order.customer?.id ?? null,
        email ? emailHash(email) : null,
        JSON.stringify(order),
        status,
        JSON.stringify(traceContext),
      ],
    );
    return rows.length === 1;
  }

  /** Claims due orders under a lease (`claimDue`: SKIP LOCKED, committed before the call). */
  claimDueOrders(limit: number, leaseMs: number, maxAttempts: number): Promise<DueOrder[]> {
    return claimDue<DueOrder>(this.dataSource, DUE_ORDERS, limit, leaseMs, [maxAttempts]);
  }

  /**
   * Marks a pass's mirrored orders in one statement, so a busy worker does not pay one round trip
   * per order (the ERP's Idempotency-Key covers a crash before this commits).
   */
  async markSynced(synced: { shopDomain: string; orderId: string; erpStatus: number }[]) {
    if (synced.length === 0) return;
    await this.dataSource.query(
      `UPDATE sync.order_syncs o
          SET status = 'synced', synced_at = now(), attempts = o.attempts + 1, last_error = NULL,
              erp_status = m.erp_status, updated_at = now()
         FROM unnest($1::text[], $2::bigint[], $3::int[]) AS m(shop_domain, order_id, erp_status)
        WHERE o.shop_domain = m.shop_domain AND o.order_id = m.order_id
          AND o.status IN ('pending', 'failed')`,
      [
        synced.map((s) => s.shopDomain),
        synced.map((s) => s.orderId),
        synced.map((s) => s.erpStatus),
      ],
    );
  }

  /** The call failed after its in-process attempts: 'failed', due again after `delayMs`; given up, its attempts are used up (an operator's retry resets them). */
  async markFailed(
    shopDomain: string,
    orderId: string,
    error: string,
    erpStatus: number | null,
    delayMs: number,
    giveUp: boolean,
    maxAttempts: number,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync.order_syncs
          SET status = 'failed', last_error = $3, erp_status = $4, updated_at = now(),
              attempts = CASE WHEN $6 THEN $7 ELSE attempts + 1 END,
              next_attempt_at = now() + ${interval('$5')}
        WHERE shop_domain = $1 AND order_id = $2 AND status IN ('pending', 'failed')`,
      [shopDomain, orderId, error.slice(0, 500), erpStatus, delayMs, giveUp, maxAttempts],
    );
  }

  /** The breaker refused the call: not an attempt; due again after `delayMs`. */
  async releaseOrder(shopDomain: string, orderId: string, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync.order_syncs SET next_attempt_at = now() + ${interval('$3')}, updated_at = now()
        WHERE shop_domain = $1 AND order_id = $2`,
      [shopDomain, orderId, delayMs],
    );
  }

  /** Operator's retry of an order the loop gave up on. */
  async resetAttempts(shopDomain: string, orderId: string): Promise<boolean> {
    const result: unknown = await this.dataSource.query(
      `UPDATE sync.order_syncs SET attempts = 0, next_attempt_at = now(), updated_at = now()
        WHERE shop_domain = $1 AND order_id = $2 AND status = 'failed' RETURNING order_id`,
      [shopDomain, orderId],
    );
    return returnedRows(result).length === 1;
  }

  claimDueJobs(limit: number, leaseMs: number, maxAttempts: number): Promise<DueJob[]> {
    return claimDue<DueJob>(this.dataSource, DUE_JOBS, limit, leaseMs, [maxAttempts]);
  }

  /** The breaker refused the call (or the worker is stopping): not an attempt. */
  async releaseJob(id: string, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync.erp_jobs SET next_attempt_at = now() + ${interval('$2')}
        WHERE id = $1 AND status = 'pending'`,
      [id, delayMs],
    );
  }

  async finishJob(id: string, error: string | null, delayMs: number): Promise<void> {
    await this.dataSource.query(
      `UPDATE sync.erp_jobs
          SET attempts = attempts + 1, last_error = $2,
              status = CASE WHEN $2::text IS NULL THEN 'done' ELSE 'pending' END,
              done_at = CASE WHEN $2::text IS NULL THEN now() END,
              next_attempt_at = now() + ${interval('$3')}
        WHERE id = $1 AND status = 'pending'`,
      [id, error, delayMs],
    );
  }

  async get(shopDomain: string, orderId: string): Promise<OrderSyncRow | null> {
    const rows: OrderSyncRow[] = await this.dataSource.query(
      `SELECT ${ROW} FROM sync.order_syncs WHERE shop_domain = $1 AND order_id = $2`,
      [shopDomain, orderId],
    );
    return rows[0] ?? null;
  }

  list(
    shopDomain: string,
    status: SyncStatus | null,
    afterId: string | null,
    limit: number,
  ): Promise<OrderSyncRow[]> {
    return this.dataSource.query(
      `SELECT ${ROW} FROM sync.order_syncs
        WHERE shop_domain = $1 AND ($2::text IS NULL OR status = $2)
          AND ($3::bigint IS NULL OR order_id > $3::bigint)
        ORDER BY order_id LIMIT $4`,
      [shopDomain, status, afterId, limit],
    );
  }

  async countByStatus(): Promise<{ status: string; n: number }[]> {
    const rows: { status: string; n: string }[] = await this.dataSource.query(
      `SELECT status, count(*) AS n FROM sync.order_syncs WHERE status IN ('pending', 'failed') GROUP BY status`,
    );
    return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
  }
}
