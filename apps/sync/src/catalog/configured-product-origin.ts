import { Inject, Injectable } from '@nestjs/common';
import type { CacheOrigin } from '@shopwire/cache';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';
import { AdminApiProductOrigin } from './admin-api-product-origin';
import { AdminApiVariantOrigin } from './admin-api-variant-origin';
import { SyncAdminClient } from '../admin-api/sync-admin-client';
import { CatalogReadRepository } from './catalog-read.repository';
import type { ProductOrigin } from './product-origin';

/**
 * The origin `CATALOG_ORIGIN` names for products and variants: the catalog mirror, or the Admin
 * API through the budgeted client. Both give documents of the same shape.
 */
@Injectable()
export class ConfiguredProductOrigin implements ProductOrigin {
  readonly kind: SyncConfig['CATALOG_ORIGIN'];
  private readonly origin: ProductOrigin;
  /** Variant documents from the same kind of origin as the products. */
  readonly variants: CacheOrigin;

  constructor(
    @Inject(SERVICE_CONFIG) config: SyncConfig,
    mirror: CatalogReadRepository,
    admin: SyncAdminClient,
  ) {
    this.kind = config.CATALOG_ORIGIN;
    if (config.CATALOG_ORIGIN === 'mirror') {
      this.origin = mirror;
      this.variants = { load: (shop, ids) => mirror.loadVariants(shop, ids) };
      return;
    }
    const products = new AdminApiProductOrigin(admin.client);
    const variants = new AdminApiVariantOrigin(admin.client);
    this.origin = {
      load: async (shop, ids) => {
        await admin.assertAccess(shop);
        return products.load(shop, ids);
      },
    };
    this.variants = {
      load: async (shop, ids) => {
        await admin.assertAccess(shop);
        return variants.load(shop, ids);
      },
    };
  }

  load(shop: string, ids: string[]): Promise<Map<string, string | null>> {
    return this.origin.load(shop, ids);
  }
}
