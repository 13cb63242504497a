import { Controller } from '@nestjs/common';
import { ConsumerGroup, ShopifyKafkaTopic } from '@shopwire/contracts';
import { ConsumeChunks, type ConsumerChunk } from '@shopwire/kafka';
import type { KafkaMessage } from 'kafkajs';
import { LifecycleService } from './lifecycle.service';

/**
 * Reads `shopify.compliance.v1` for app/uninstalled and shop/redact (group `shops`) on the
 * service's consumer transport. What keeps failing goes to the retry topic, then the DLQ
 * (docs/adr/0002); group id from CoreModule's config.
 */
@Controller()
export class LifecycleConsumer {
  constructor(private readonly service: LifecycleService) {}

  @ConsumeChunks({ group: ConsumerGroup.Shops, topics: [ShopifyKafkaTopic.Compliance] })
  handleChunk(messages: KafkaMessage[], chunk: ConsumerChunk): Promise<void> {
    return this.service.handleChunk(messages, chunk);
  }
}
