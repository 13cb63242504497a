import { outboxTableSql } from '@shopwire/database';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The shops service's tables (ADR 0006): installations, their sealed credentials, webhook
 * subscriptions (desired vs actual), and the inbox and outbox.
 *
 * Tokens are only ever stored sealed (AES-256-GCM, see credentials/token-vault.ts) with the id of
 * the key that sealed them, so `rotate-token-keys` can find rows still under an old key.
 */
export class CreateShops1797000000000 implements MigrationInterface {
  name = 'CreateShops1797000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE shops.installations (
        shop text PRIMARY KEY,
        status text NOT NULL
          CHECK (status IN ('installed', 'uninstalled', 'reauth_required')),
        grant_type text NOT NULL
          CHECK (grant_type IN ('authorization_code', 'token_exchange', 'client_credentials', 'legacy')),
        scopes text NOT NULL DEFAULT '',
        generation integer NOT NULL DEFAULT 1,
        -- +1 at every change announced on shops.installation.changed.v1: with the generation it
        -- makes the events' aggregateVersion, so a consumer can let a late older event lose.
        revision integer NOT NULL DEFAULT 1,
        installed_at timestamptz NOT NULL DEFAULT now(),
        uninstalled_at timestamptz,
        -- The last refresh failure's code (Shopify's error or ours), never its text.
        last_refresh_error text,
        last_refresh_error_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(
      `CREATE INDEX installations_status_idx ON shops.installations (status)`,
    );
    await queryRunner.query(`
      CREATE TABLE shops.credentials (
        shop text PRIMARY KEY REFERENCES shops.installations (shop) ON DELETE CASCADE,
        key_id text NOT NULL,
        access_token bytea NOT NULL,
        access_token_sha256 text NOT NULL,
        access_token_expires_at timestamptz,
        refresh_token bytea,
        refresh_token_expires_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        refreshed_at timestamptz NOT NULL DEFAULT now()
      )`);
    // The refresh-ahead loop's scan, and rotate-token-keys' "rows not under the active key".
    await queryRunner.query(
      `CREATE INDEX credentials_expiry_idx ON shops.credentials (access_token_expires_at)
       WHERE access_token_expires_at IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX credentials_key_idx ON shops.credentials (key_id)`);
    await queryRunner.query(`
      CREATE TABLE shops.webhook_subscriptions (
        shop text NOT NULL REFERENCES shops.installations (shop) ON DELETE CASCADE,
        topic text NOT NULL,
        shopify_id text,
        uri text,
        api_version text,
        format text,
        include_fields text[],
        filter text,
        state text NOT NULL DEFAULT 'unknown',
        last_checked_at timestamptz,
        last_repaired_at timestamptz,
        PRIMARY KEY (shop, topic)
      )`);
    await queryRunner.query(`
      CREATE TABLE shops.inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    for (const sql of outboxTableSql('shops').up) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of outboxTableSql('shops').down) await queryRunner.query(sql);
    await queryRunner.query(`DROP TABLE shops.inbox`);
    await queryRunner.query(`DROP TABLE shops.webhook_subscriptions`);
    await queryRunner.query(`DROP TABLE shops.credentials`);
    await queryRunner.query(`DROP TABLE shops.installations`);
  }
}
