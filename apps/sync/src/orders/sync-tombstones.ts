import { Inject, Injectable } from '@nestjs/common';
import { RedactionTombstones, TombstoneHasher } from '@shopwire/privacy';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { SyncConfig } from '../config';
import { SYNC_SCHEMA } from '../database/sync-data-source';

/** `sync.redaction_tombstones`: customers this service erased, as keyed hashes. */
@Injectable()
export class SyncTombstones extends RedactionTombstones {
  constructor(@Inject(SERVICE_CONFIG) config: SyncConfig) {
    super(SYNC_SCHEMA, new TombstoneHasher(config.PRIVACY_TOMBSTONE_KEYS));
  }
}
