import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The analytics schema. Frozen once released: later changes are new migrations. Money is
 * `numeric` without a scale, so Shopify's decimal strings add up exactly; no personal data is
 * stored (no emails, names, addresses, customer ids).
 */
export class CreateAnalytics1795900000001 implements MigrationInterface {
  name = 'CreateAnalytics1795900000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SCHEMA IF NOT EXISTS analytics`);
    // What each order currently contributes to the aggregates, so a newer state replaces it
    // (subtract old, add new) and a cancellation subtracts it. `version` is the order's
    // updated_at: an older event loses.
    await queryRunner.query(`
      CREATE TABLE analytics.order_contributions (
        shop_domain text NOT NULL,
        order_id bigint NOT NULL,
        version timestamptz NOT NULL,
        cancelled boolean NOT NULL,
        counted boolean NOT NULL,
        day date NOT NULL,
        currency text NOT NULL,
        gross numeric NOT NULL,
        tax numeric NOT NULL,
        discounts numeric NOT NULL,
        lines jsonb NOT NULL,
        last_event_id text NOT NULL,
        stale_events_skipped integer NOT NULL DEFAULT 0,
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (shop_domain, order_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE analytics.daily_sales (
        shop_domain text NOT NULL,
        day date NOT NULL,
        currency text NOT NULL,
        orders integer NOT NULL,
        gross numeric NOT NULL,
        tax numeric NOT NULL,
        discounts numeric NOT NULL,
        PRIMARY KEY (shop_domain, day, currency)
      )`);
    await queryRunner.query(`
      CREATE TABLE analytics.daily_product_sales (
        shop_domain text NOT NULL,
        day date NOT NULL,
        currency text NOT NULL,
        product_key text NOT NULL,
        product_id bigint,
        sku text,
        title text,
        units bigint NOT NULL,
        revenue numeric NOT NULL,
        PRIMARY KEY (shop_domain, day, currency, product_key)
      )`);
    await queryRunner.query(`
      CREATE TABLE analytics.shops (
        shop_domain text PRIMARY KEY,
        active boolean NOT NULL DEFAULT true,
        first_seen_at timestamptz NOT NULL DEFAULT now(),
        uninstalled_at timestamptz
      )`);
    // Compliance requests and what was done; no customer identifiers are kept.
    await queryRunner.query(`
      CREATE TABLE analytics.privacy_requests (
        webhook_id text PRIMARY KEY,
        shop_domain text NOT NULL,
        shopify_topic text NOT NULL,
        outcome text NOT NULL,
        completed_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE analytics.inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await queryRunner.query(
      `CREATE INDEX inbox_processed_at_idx ON analytics.inbox (processed_at)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of [
      'inbox',
      'privacy_requests',
      'shops',
      'daily_product_sales',
      'daily_sales',
      'order_contributions',
    ]) {
      await queryRunner.query(`DROP TABLE analytics.${table}`);
    }
  }
}
