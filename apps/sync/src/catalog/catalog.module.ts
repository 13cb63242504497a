import { Module } from '@nestjs/common';
import { CatalogCache } from './catalog-cache';
import { CatalogReadRepository } from './catalog-read.repository';
import { CatalogController } from './catalog.controller';
import { ConfiguredProductOrigin } from './configured-product-origin';
import { PRODUCT_ORIGIN } from './product-origin';

/**
 * Cached catalog reads (`/catalog/products`). The origin on a miss is the sync schema's catalog
 * mirror (`CATALOG_ORIGIN=mirror`, default) or the shop's Admin API (`admin-api`).
 */
@Module({
  controllers: [CatalogController],
  providers: [
    CatalogReadRepository,
    ConfiguredProductOrigin,
    { provide: PRODUCT_ORIGIN, useExisting: ConfiguredProductOrigin },
    CatalogCache,
  ],
  exports: [CatalogCache],
})
export class CatalogModule {}
