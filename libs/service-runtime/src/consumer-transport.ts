import type { INestApplication } from '@nestjs/common';
import type { ReadinessCheck } from '@shopwire/http';
import { ChunkConsumerTransport } from '@shopwire/kafka';

/**
 * Starts the service's `@ConsumeChunks` handlers as a Nest microservice on the shared transport
 * (ServiceCoreModule provides it). Returns at once: a consumer whose broker is down keeps trying
 * in the background while HTTP answers and readiness says not ready.
 */
export async function startConsumers(app: INestApplication): Promise<ChunkConsumerTransport> {
  const strategy = app.get(ChunkConsumerTransport);
  app.connectMicroservice({ strategy });
  await app.startAllMicroservices();
  return strategy;
}

/** Readiness of every consumer in the broker's view (Stable group, this member, its assignment). */
export function consumerReadinessCheck(transport: ChunkConsumerTransport): ReadinessCheck {
  return { name: 'kafka-consumer', check: () => transport.readiness() };
}
