import { Inject, Injectable } from '@nestjs/common';
import { RedactionTombstones, TombstoneHasher } from '@shopwire/privacy';
import { SERVICE_CONFIG } from '@shopwire/service-runtime';
import type { OrderConfig } from '../config';
import { ORDER_SCHEMA } from '../database/order-data-source';

/** `orders.redaction_tombstones`: customers this service erased, as keyed hashes. */
@Injectable()
export class OrderTombstones extends RedactionTombstones {
  constructor(@Inject(SERVICE_CONFIG) config: OrderConfig) {
    super(ORDER_SCHEMA, new TombstoneHasher(config.PRIVACY_TOMBSTONE_KEYS));
  }
}
