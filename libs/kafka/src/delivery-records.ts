import { deliveryIdentityOf, traceIdOf, type DeliveryRecord } from '@shopwire/contracts';
import type { KafkaMessage } from 'kafkajs';
import type { ChunkContext } from './consumer-runner-types';

/**
 * The delivery journal's record of one message of a chunk (docs/adr/0011), or null when it is
 * neither a webhook nor a domain event (a job, a cache purge): nothing a delivery search names.
 * `context` names the source topic also for a message re-run from the retry topic, whose offset
 * `asSourceMessage` already set back to the source's.
 */
export function deliveryRecordOf(
  group: string,
  message: KafkaMessage,
  context: Pick<ChunkContext, 'topic' | 'partition' | 'redelivery'>,
): DeliveryRecord | null {
  const identity = deliveryIdentityOf(message);
  if (!identity) return null;
  const timestamp = Number(message.timestamp);
  return {
    ...identity,
    group,
    kafka: { topic: context.topic, partition: context.partition, offset: message.offset },
    acceptedAt: Number.isFinite(timestamp) && timestamp > 0 ? new Date(timestamp) : null,
    attempts: (context.redelivery?.attempts ?? 0) + 1,
    traceId: traceIdOf(message.headers),
  };
}
