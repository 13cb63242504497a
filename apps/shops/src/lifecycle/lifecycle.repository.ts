import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The lifecycle's own SQL; installation status and credentials go through CredentialsRepository. */
@Injectable()
export class LifecycleRepository {
  /** Shopify drops a shop's subscriptions at uninstall; a reinstall's reconcile starts afresh. */
  async deleteSubscriptions(manager: EntityManager, shop: string): Promise<number> {
    const result: [unknown[], number] = await manager.query(
      `DELETE FROM shops.webhook_subscriptions WHERE shop = $1`,
      [shop],
    );
    return result[1];
  }

  /**
   * shop/redact: what is left of the shop besides the tombstone (domain, status, generation):
   * scopes, error notes, subscriptions, and the published events about it.
   */
  async erase(manager: EntityManager, shop: string): Promise<number> {
    let rows = await this.deleteSubscriptions(manager, shop);
    const credentials: [unknown[], number] = await manager.query(
      `DELETE FROM shops.credentials WHERE shop = $1`,
      [shop],
    );
    const outbox: [unknown[], number] = await manager.query(
      `DELETE FROM shops.outbox WHERE key = $1 AND sent_at IS NOT NULL`,
      [shop],
    );
    const installation: [unknown[], number] = await manager.query(
      `UPDATE shops.installations SET scopes = '', last_refresh_error = NULL,
         last_refresh_error_at = NULL, redacted_at = now(), updated_at = now()
       WHERE shop = $1`,
      [shop],
    );
    rows += credentials[1] + outbox[1] + installation[1];
    return rows;
  }
}
