import { Inject, Injectable } from '@nestjs/common';
import { RedactionTombstones, TombstoneHasher } from '@shopwire/privacy';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { NotificationConfig } from '../config';
import { NOTIFICATION_SCHEMA } from '../database/notification-data-source';

/** `notification.redaction_tombstones`: customers this service erased, as keyed hashes. */
@Injectable()
export class NotificationTombstones extends RedactionTombstones {
  constructor(@Inject(SERVICE_CONFIG) config: NotificationConfig) {
    super(NOTIFICATION_SCHEMA, new TombstoneHasher(config.PRIVACY_TOMBSTONE_KEYS));
  }
}
