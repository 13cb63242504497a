import { SERVICE_DATA_SOURCE } from '@shopwire/service-runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { SubscriptionState } from '@shopwire/shopify-subscriptions';
import type { DataSource } from 'typeorm';

/** One row of `shops.webhook_subscriptions`: a declared topic on a shop as last seen. */
export interface SubscriptionRow {
  topic: string;
  shopifyId: string | null;
  uri: string | null;
  apiVersion: string | null;
  format: string | null;
  includeFields: string[];
  filter: string | null;
  /** `in_place` | `created` | `updated` | `failed` | `check_failed` (the listing failed). */
  state: string;
  lastCheckedAt: Date | null;
  lastRepairedAt: Date | null;
}

/** States meaning the subscription was confirmed or put in place by that check. */
export const GOOD_STATES = ['in_place', 'created', 'updated'] as const;

interface RawRow {
  topic: string;
  shopify_id: string | null;
  uri: string | null;
  api_version: string | null;
  format: string | null;
  include_fields: string[] | null;
  filter: string | null;
  state: string;
  last_checked_at: Date | null;
  last_repaired_at: Date | null;
}

/** `shops.webhook_subscriptions`, always scoped by shop. */
@Injectable()
export class SubscriptionsRepository {
  constructor(@Inject(SERVICE_DATA_SOURCE) private readonly dataSource: DataSource) {}

  async list(shop: string): Promise<SubscriptionRow[]> {
    const rows: RawRow[] = await this.dataSource.query(
      `SELECT topic, shopify_id, uri, api_version, format, include_fields, filter, state,
              last_checked_at, last_repaired_at
         FROM shops.webhook_subscriptions WHERE shop = $1 ORDER BY topic`,
      [shop],
    );
    return rows.map((r) => ({
      topic: r.topic,
      shopifyId: r.shopify_id,
      uri: r.uri,
      apiVersion: r.api_version,
      format: r.format,
      includeFields: r.include_fields ?? [],
      filter: r.filter,
      state: r.state,
      lastCheckedAt: r.last_checked_at,
      lastRepairedAt: r.last_repaired_at,
    }));
  }

  /**
   * Records a reconcile's result: one row per declared topic (repaired ones stamped), rows of
   * topics no longer declared removed. One statement per row, in one transaction.
   */
  async record(shop: string, states: readonly SubscriptionState[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const s of states) {
        const repaired = s.state === 'created' || s.state === 'updated';
        await manager.query(
          `INSERT INTO shops.webhook_subscriptions
             (shop, topic, shopify_id, uri, api_version, format, include_fields, filter, state,
              last_checked_at, last_repaired_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), CASE WHEN $10 THEN now() END)
           ON CONFLICT (shop, topic) DO UPDATE SET
             shopify_id = EXCLUDED.shopify_id, uri = EXCLUDED.uri,
             api_version = EXCLUDED.api_version, format = EXCLUDED.format,
             include_fields = EXCLUDED.include_fields, filter = EXCLUDED.filter,
             state = EXCLUDED.state, last_checked_at = now(),
             last_repaired_at = CASE WHEN $10 THEN now()
                                     ELSE shops.webhook_subscriptions.last_repaired_at END`,
          [
            shop,
            s.topic,
            s.actual?.id ?? null,
            s.actual?.uri ?? null,
            s.actual?.apiVersion ?? null,
            s.actual?.format ?? null,
            s.actual ? [...s.actual.includeFields] : null,
            s.actual?.filter ?? null,
            s.state,
            repaired,
          ],
        );
      }
      await manager.query(
        `DELETE FROM shops.webhook_subscriptions WHERE shop = $1 AND NOT (topic = ANY($2::text[]))`,
        [shop, states.map((s) => s.topic)],
      );
    });
  }

  /**
   * A check that could not list the shop's subscriptions: each declared topic is stamped
   * `check_failed` (what was last seen stays), so the shop waits a full interval before the
   * schedule tries again instead of being retried at every poll.
   */
  async recordCheckFailed(shop: string, topics: readonly string[]): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO shops.webhook_subscriptions (shop, topic, state, last_checked_at)
       SELECT $1, topic, 'check_failed', now() FROM unnest($2::text[]) AS topic
       ON CONFLICT (shop, topic) DO UPDATE SET state = 'check_failed', last_checked_at = now()`,
      [shop, topics],
    );
  }

  /** Forget a shop's rows (a new installation generation starts from nothing). */
  async clear(shop: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM shops.webhook_subscriptions WHERE shop = $1`, [shop]);
  }

  /** Whether any check has confirmed or put a subscription in place for this shop. */
  async everReconciled(shop: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM shops.webhook_subscriptions
        WHERE shop = $1 AND state = ANY($2::text[]) LIMIT 1`,
      [shop, [...GOOD_STATES]],
    );
    return rows.length > 0;
  }

  /**
   * Installed shops whose last check (of any outcome) is older than `intervalSeconds`, or that
   * were never checked; the longest waiting first.
   */
  async dueShops(intervalSeconds: number, limit: number): Promise<string[]> {
    const rows: { shop: string }[] = await this.dataSource.query(
      `SELECT i.shop
         FROM shops.installations i
         LEFT JOIN shops.webhook_subscriptions w ON w.shop = i.shop
        WHERE i.status = 'installed'
        GROUP BY i.shop
       HAVING count(w.topic) = 0
           OR min(w.last_checked_at) IS NULL
           OR min(w.last_checked_at) < now() - make_interval(secs => $1)
        ORDER BY min(w.last_checked_at) NULLS FIRST, i.shop
        LIMIT $2`,
      [intervalSeconds, limit],
    );
    return rows.map((r) => r.shop);
  }
}
