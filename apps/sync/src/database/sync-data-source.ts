import { createSchemaDataSource } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { CreateSync1796400000001 } from './migrations/1796400000001-create-sync';
import { CreateSyncJobs1796400000002 } from './migrations/1796400000002-create-jobs';
import { ErpTrace1796400000003 } from './migrations/1796400000003-erp-trace';
import { VariantsById1796400000004 } from './migrations/1796400000004-variants-by-id';
import { Schedule1796400000005 } from './migrations/1796400000005-schedule';
import { RedactionTombstonesErpScope1797200000002 } from './migrations/1797200000002-redaction-tombstones-erp-scope';
import { InboxProcessedAt1797300000000 } from './migrations/1797300000000-inbox-processed-at';
import { DeliveryJournal1797400000000 } from './migrations/1797400000000-delivery-journal';

export const SYNC_SCHEMA = 'sync';

export function createSyncDataSource(options: { url: string; poolSize: number }): DataSource {
  return createSchemaDataSource({
    url: options.url,
    schema: SYNC_SCHEMA,
    poolSize: options.poolSize,
    migrations: [
      CreateSync1796400000001,
      CreateSyncJobs1796400000002,
      ErpTrace1796400000003,
      VariantsById1796400000004,
      Schedule1796400000005,
      RedactionTombstonesErpScope1797200000002,
      InboxProcessedAt1797300000000,
      DeliveryJournal1797400000000,
    ],
    applicationName: 'shopwire-sync',
  });
}
