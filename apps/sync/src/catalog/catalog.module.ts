import { Module } from '@nestjs/common';
import { CatalogCache } from './catalog-cache';
import { CatalogReadRepository } from './catalog-read.repository';
import { CatalogController } from './catalog.controller';
import { PRODUCT_ORIGIN } from './product-origin';

/**
 * Cached catalog reads (`/catalog/products`). The origin is the sync schema's catalog mirror
 * (`CATALOG_ORIGIN=mirror`); an Admin API origin plugs in as another `PRODUCT_ORIGIN`.
 */
@Module({
  controllers: [CatalogController],
  providers: [
    CatalogReadRepository,
    { provide: PRODUCT_ORIGIN, useExisting: CatalogReadRepository },
    CatalogCache,
  ],
  exports: [CatalogCache],
})
export class CatalogModule {}
