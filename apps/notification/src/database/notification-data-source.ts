import { createSchemaDataSource } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import { CreateNotification1796400000000 } from './migrations/1796400000000-create-notification';
import { IntentTrace1796400000001 } from './migrations/1796400000001-intent-trace';
import { RedactionTombstones1797200000001 } from './migrations/1797200000001-redaction-tombstones';
import { InboxProcessedAt1797300000000 } from './migrations/1797300000000-inbox-processed-at';
import { DeliveryJournal1797400000000 } from './migrations/1797400000000-delivery-journal';

export const NOTIFICATION_SCHEMA = 'notification';

export function createNotificationDataSource(options: {
  url: string;
  poolSize: number;
}): DataSource {
  return createSchemaDataSource({
    url: options.url,
    schema: NOTIFICATION_SCHEMA,
    poolSize: options.poolSize,
    migrations: [
      CreateNotification1796400000000,
      IntentTrace1796400000001,
      RedactionTombstones1797200000001,
      InboxProcessedAt1797300000000,
      DeliveryJournal1797400000000,
    ],
    applicationName: 'shopwire-notification',
  });
}
