import { Inject, Injectable } from '@nestjs/common';
import { claimDue, type LeasedTable } from '@shopwire/outbound-delivery';
import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import { recipientHash, type IntentDraft } from './notification-events';
import type { Template } from './notification-templates';

export type NotificationStatus = 'pending' | 'sent' | 'failed' | 'skipped' | 'cancelled';

/** An intent claimed for sending: everything the email needs. */
export interface DueIntent {
  id: string;
  shopDomain: string;
  eventId: string;
  template: Template;
  recipient: string;
  recipientName: string | null;
  variables: unknown;
  messageId: string;
  attempts: number;
  /** Trace headers of the event that asked for it (null for rows from before they were kept). */
  traceContext: Record<string, string> | null;
}

/** A log row as the API shows it: never the body or variables, the recipient masked later. */
export interface NotificationLogRow {
  id: string;
  shopDomain: string;
  eventId: string;
  template: string;
  orderId: string | null;
  recipient: string | null;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  redactedAt: Date | null;
}

/**
 * The stable Message-ID of the email for (event, template): a resend after a crash between the
 * SMTP answer and the 'sent' mark carries the same id, so the relay and mail clients can drop it.
 */
export function messageIdFor(eventId: string, template: string): string {
  const digest = createHash('sha256').update(`${eventId}\n${template}`).digest('hex');
  return `<${digest.slice(0, 40)}@notification.shopwire>`;
}

/** Pending intents of active shops, oldest due first; the lease pushes `next_attempt_at` ahead. */
const DUE_INTENTS: LeasedTable = {
  table: 'notification.notifications',
  key: ['id'],
  dueColumn: 'next_attempt_at',
  where: `c.status = 'pending'
    AND NOT EXISTS (SELECT 1 FROM notification.shops s
                     WHERE s.shop_domain = c.shop_domain AND NOT s.active)`,
  orderBy: 'c.next_attempt_at, c.id',
  set: 'updated_at = now()',
  returning: `t.id::text AS "id", t.shop_domain AS "shopDomain", t.event_id AS "eventId",
    t.template, t.recipient, t.recipient_name AS "recipientName", t.variables,
    t.message_id AS "messageId", t.attempts, t.trace_context AS "traceContext"`,
};

const LOG_COLUMNS = `id::text AS "id", shop_domain AS "shopDomain", event_id AS "eventId",
  template, order_id::text AS "orderId", recipient, status, attempts, last_error AS "lastError",
  created_at AS "createdAt", updated_at AS "updatedAt", sent_at AS "sentAt",
  redacted_at AS "redactedAt"`;

/** SQL of the notification schema. Every statement is parameterised. */
@Injectable()
export class NotificationsRepository {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async isShopActive(manager: EntityManager, shopDomain: string): Promise<boolean> {
    const rows: { active: boolean }[] = await manager.query(
      'SELECT active FROM notification.shops WHERE shop_domain = $1',
      [shopDomain],
    );
    return rows[0]?.active ?? true;
  }

  /** The shops among these that uninstalled the app (a shop not known is active). */
  async inactiveShops(manager: EntityManager, shopDomains: string[]): Promise<Set<string>> {
    if (shopDomains.length === 0) return new Set();
    const rows: { shop_domain: string }[] = await manager.query(
      'SELECT shop_domain FROM notification.shops WHERE shop_domain = ANY($1::text[]) AND NOT active',
      [[...new Set(shopDomains)]],
    );
    return new Set(rows.map((row) => row.shop_domain));
  }

  /**
   * `insertIntent` for many intents in one statement; for each, whether it was recorded (the
   * first of an (event, template) pair, unless it already existed).
   */
  async insertIntents(
    manager: EntityManager,
    intents: readonly {
      shopDomain: string;
      eventId: string;
      draft: IntentDraft;
      status: NotificationStatus;
      lastError: string | null;
      traceContext: Record<string, string>;
    }[],
  ): Promise<boolean[]> {
    if (intents.length === 0) return [];
    const rows: { event_id: string; template: string }[] = await manager.query(
      `INSERT INTO notification.notifications
         (shop_domain, event_id, template, order_id, customer_id, recipient, recipient_hash,
          recipient_name, variables, message_id, status, last_error, trace_context)
       SELECT shop_domain, event_id, template, order_id, customer_id, recipient, recipient_hash,
              recipient_name, variables::jsonb, message_id, status, last_error,
              trace_context::jsonb
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::text[],
                   $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                   $13::text[]) WITH ORDINALITY
            AS i(shop_domain, event_id, template, order_id, customer_id, recipient,
                 recipient_hash, recipient_name, variables, message_id, status, last_error,
                 trace_context, ord)
       ORDER BY i.ord
       ON CONFLICT (event_id, template) DO NOTHING
       RETURNING event_id, template`,
      [
        intents.map((i) => i.shopDomain),
        intents.map((i) => i.eventId),
        intents.map((i) => i.draft.template),
        intents.map((i) => i.draft.orderId),
        intents.map((i) => i.draft.customerId),
        intents.map((i) => i.draft.recipient),
        intents.map((i) => (i.draft.recipient ? recipientHash(i.draft.recipient) : null)),
        intents.map((i) => i.draft.recipientName),
        intents.map((i) => JSON.stringify(i.draft.variables)),
        intents.map((i) => messageIdFor(i.eventId, i.draft.template)),
        intents.map((i) => i.status),
        intents.map((i) => i.lastError),
        intents.map((i) => JSON.stringify(i.traceContext)),
      ],
    );
    const recorded = new Set(rows.map((row) => `${row.event_id}\u0000${row.template}`));
    // A pair listed twice is recorded once, for its first occurrence.
    return intents.map((i) => recorded.delete(`${i.eventId}\u0000${i.draft.template}`));
  }

  /** Records the intent once per (event, template); false when it already exists. */
  async insertIntent(
    manager: EntityManager,
    shopDomain: string,
    eventId: string,
    draft: IntentDraft,
    status: NotificationStatus,
    lastError: string | null,
    traceContext: Record<string, string> = {},
  ): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO notification.notifications
         (shop_domain, event_id, template, order_id, customer_id, recipient, recipient_hash,
          recipient_name, variables, message_id, status, last_error, trace_context)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13::jsonb)
       ON CONFLICT (event_id, template) DO NOTHING
       RETURNING id`,
      [
        shopDomain,
        eventId,
        draft.template,
        draft.orderId,
        draft.customerId,
        draft.recipient,
        draft.recipient ? recipientHash(draft.recipient) : null,
        draft.recipientName,
        JSON.stringify(draft.variables),
        messageIdFor(eventId, draft.template),
        status,
        lastError,
        JSON.stringify(traceContext),
      ],
    );
    return rows.length === 1;
  }

  /** Claims due intents for this sender under a lease (`claimDue`: SKIP LOCKED, committed). */
  claimDue(limit: number, leaseMs: number): Promise<DueIntent[]> {
    return claimDue<DueIntent>(this.dataSource, DUE_INTENTS, limit, leaseMs);
  }

  /** Marks a pass's sent intents in one statement. */
  async markSent(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE notification.notifications
          SET status = 'sent', sent_at = now(), attempts = attempts + 1, last_error = NULL,
              updated_at = now()
        WHERE id = ANY($1::bigint[]) AND status = 'pending'`,
      [ids],
    );
  }

  /** A failed send: counted, and either due again after `delayMs` or failed for good. */
  async markAttemptFailed(
    id: string,
    error: string,
    delayMs: number,
    giveUp: boolean,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification.notifications
          SET attempts = attempts + 1, last_error = $2, updated_at = now(),
              next_attempt_at = now() + make_interval(secs => $3::double precision / 1000),
              status = CASE WHEN $4 THEN 'failed' ELSE 'pending' END
        WHERE id = $1 AND status = 'pending'`,
      [id, error.slice(0, 500), delayMs, giveUp],
    );
  }

  /** Gives a claimed intent back unattempted (breaker open, or stopping): due after `delayMs`. */
  async release(id: string, delayMs: number, reason: string | null): Promise<void> {
    await this.dataSource.query(
      `UPDATE notification.notifications
          SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
              last_error = coalesce($3, last_error), updated_at = now()
        WHERE id = $1 AND status = 'pending'`,
      [id, delayMs, reason],
    );
  }

  async countPending(): Promise<number> {
    const rows: { n: string }[] = await this.dataSource.query(
      `SELECT count(*) AS n FROM notification.notifications WHERE status = 'pending'`,
    );
    return Number(rows[0].n);
  }

  async list(
    shopDomain: string,
    filter: { orderId?: string; status?: NotificationStatus; afterId?: string },
    limit: number,
  ): Promise<NotificationLogRow[]> {
    return this.dataSource.query(
      `SELECT ${LOG_COLUMNS} FROM notification.notifications
        WHERE shop_domain = $1
          AND ($2::bigint IS NULL OR order_id = $2::bigint)
          AND ($3::text IS NULL OR status = $3)
          AND ($4::bigint IS NULL OR id > $4::bigint)
        ORDER BY id LIMIT $5`,
      [shopDomain, filter.orderId ?? null, filter.status ?? null, filter.afterId ?? null, limit],
    );
  }
}
