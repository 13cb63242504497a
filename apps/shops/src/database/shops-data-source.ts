import { createSchemaDataSource } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { CreateShops1797000000000 } from './migrations/1797000000000-create-shops';
import { InstallationsRedacted1797000000001 } from './migrations/1797000000001-installations-redacted';
import { InboxProcessedAt1797300000000 } from './migrations/1797300000000-inbox-processed-at';
import { DeliveryJournal1797400000000 } from './migrations/1797400000000-delivery-journal';

export const SHOPS_SCHEMA = 'shops';

/** Plain SQL throughout (no entities): every statement names its columns, tokens stay bytea. */
export function createShopsDataSource(options: { url: string; poolSize: number }): DataSource {
  return createSchemaDataSource({
    url: options.url,
    schema: SHOPS_SCHEMA,
    poolSize: options.poolSize,
    migrations: [
      CreateShops1797000000000,
      InstallationsRedacted1797000000001,
      InboxProcessedAt1797300000000,
      DeliveryJournal1797400000000,
    ],
    applicationName: 'shopwire-shops',
  });
}
