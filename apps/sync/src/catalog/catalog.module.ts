import { Module } from '@nestjs/common';
import { CatalogAdminClient } from './catalog-admin-client';
import { CatalogCache } from './catalog-cache';
import { CatalogReadRepository } from './catalog-read.repository';
import { CatalogController } from './catalog.controller';
import { ConfiguredProductOrigin } from './configured-product-origin';
import { StoreDataController } from './store-data.controller';

/**
 * Cached catalog reads (`/catalog/*`). Products and variants come on a miss from the sync
 * schema's catalog mirror (`CATALOG_ORIGIN=mirror`, default) or the shop's Admin API
 * (`admin-api`); metafields, store config and pricing rules always from the Admin API.
 */
@Module({
  controllers: [CatalogController, StoreDataController],
  providers: [CatalogReadRepository, CatalogAdminClient, ConfiguredProductOrigin, CatalogCache],
  exports: [CatalogCache],
})
export class CatalogModule {}
