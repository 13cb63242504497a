import { createSchemaDataSource } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { CreateAnalytics1795900000001 } from './migrations/1795900000001-create-analytics';
import { CreateJobs1795900000002 } from './migrations/1795900000002-create-jobs';
import { DeliveryJournal1797400000000 } from './migrations/1797400000000-delivery-journal';

export const ANALYTICS_SCHEMA = 'analytics';

/**
 * The analytics schema's data source. No entity classes: aggregates are maintained with
 * hand-written, parameterised SQL (grouped upserts of deltas), which the repository owns.
 */
export function createAnalyticsDataSource(options: { url: string; poolSize: number }): DataSource {
  return createSchemaDataSource({
    url: options.url,
    schema: ANALYTICS_SCHEMA,
    poolSize: options.poolSize,
    migrations: [
      CreateAnalytics1795900000001,
      CreateJobs1795900000002,
      DeliveryJournal1797400000000,
    ],
    applicationName: 'shopwire-analytics',
  });
}
