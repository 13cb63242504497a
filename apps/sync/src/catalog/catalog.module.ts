import { Module } from '@nestjs/common';
import { CACHE_PURGER, CachePurgeConsumer } from '@shopwire/cache';
import { AdminApiModule } from '../admin-api/admin-api.module';
import { CatalogCache } from './catalog-cache';
import { CatalogReadRepository } from './catalog-read.repository';
import { CatalogController } from './catalog.controller';
import { ConfiguredProductOrigin } from './configured-product-origin';
import { StoreDataController } from './store-data.controller';

/**
 * Cached catalog reads (`/catalog/*`). Products and variants come on a miss from the sync
 * schema's catalog mirror (`CATALOG_ORIGIN=mirror`, default) or the shop's Admin API
 * (`admin-api`); metafields, store config and pricing rules always from the Admin API. Webhooks
 * purge the cache through the cache lib's `@ConsumeChunks` handler (`CachePurgeConsumer`) on the
 * service's consumer transport, running this catalog's purger.
 */
@Module({
  imports: [AdminApiModule],
  controllers: [CatalogController, StoreDataController, CachePurgeConsumer],
  providers: [
    CatalogReadRepository,
    ConfiguredProductOrigin,
    CatalogCache,
    { provide: CACHE_PURGER, inject: [CatalogCache], useFactory: (c: CatalogCache) => c.purger },
  ],
  exports: [CatalogCache],
})
export class CatalogModule {}
