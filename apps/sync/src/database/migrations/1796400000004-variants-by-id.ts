import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The catalog API reads variants by id (`/catalog/variants`, its cache's origin on a miss): the
 * primary key (shop, product, id) would serve that only by scanning every variant of the shop.
 */
export class VariantsById1796400000004 implements MigrationInterface {
  name = 'VariantsById1796400000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE INDEX product_variants_by_id ON sync.product_variants (shop_domain, id)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX sync.product_variants_by_id`);
  }
}
