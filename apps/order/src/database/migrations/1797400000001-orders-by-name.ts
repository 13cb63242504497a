import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13: `GET /orders?name=#1234` — an operator quotes an order by the name the shop shows; the
 * console turns it into the id the delivery journal is searched by.
 */
export class OrdersByName1797400000001 implements MigrationInterface {
  name = 'OrdersByName1797400000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX orders_name_idx ON orders.orders (shop_domain, name)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX IF EXISTS orders.orders_name_idx`);
  }
}
