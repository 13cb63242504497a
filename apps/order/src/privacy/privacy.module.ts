import { Module } from '@nestjs/common';
import { OrderTombstones } from './order-tombstones';
import { PrivacyController } from './privacy.controller';
import { PrivacyRepository } from './privacy.repository';
import { PrivacyService } from './privacy.service';

/** Compliance webhooks for the order service's data, and the exports/shops API. */
@Module({
  controllers: [PrivacyController],
  providers: [PrivacyService, PrivacyRepository, OrderTombstones],
  exports: [PrivacyService, OrderTombstones],
})
export class PrivacyModule {}
