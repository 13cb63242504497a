import type { Client } from 'pg';

/**
 * The storage limit: how fast one process can write the same orders (each with five line items)
 * straight into Postgres, 500 orders per statement pair, in a scratch schema. Every service's
 * work ends in writes like these, so the pipeline cannot beat this rate on the same database.
 */
export async function baselineInsertRate(db: Client, orders: number): Promise<number> {
  const schema = 'bench_storage_baseline';
  await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${schema}.orders (
      shop_domain text NOT NULL, id bigint NOT NULL, name text, email text, currency text,
      financial_status text, total_price numeric, total_tax numeric, updated_at timestamptz NOT NULL,
      received_at timestamptz NOT NULL, PRIMARY KEY (shop_domain, id))`);
  await db.query(`CREATE TABLE ${schema}.line_items (
      shop_domain text NOT NULL, order_id bigint NOT NULL, id bigint NOT NULL, sku text,
      quantity int NOT NULL, price numeric, PRIMARY KEY (shop_domain, order_id, id))`);
  const batch = 500;
  const started = performance.now();
  for (let first = 0; first < orders; first += batch) {
    const ids = Array.from({ length: Math.min(batch, orders - first) }, (_, i) =>
      String(820982911946154508n + BigInt(first + i)),
    );
    await db.query('BEGIN');
    await db.query(
      `INSERT INTO ${schema}.orders
         SELECT 'baseline.myshopify.com', id, '#' || id, 'buyer@example.com', 'USD', 'paid', 199.65, 10.00, now(), now()
           FROM unnest($1::bigint[]) AS id`,
      [ids],
    );
    await db.query(
      `INSERT INTO ${schema}.line_items
         SELECT 'baseline.myshopify.com', id, id * 10 + n, 'SKU-' || n, 1 + n % 3, 39.93
           FROM unnest($1::bigint[]) AS id, generate_series(1, 5) AS n`,
      [ids],
    );
    await db.query('COMMIT');
  }
  const seconds = (performance.now() - started) / 1000;
  await db.query(`DROP SCHEMA ${schema} CASCADE`);
  return orders / seconds;
}
