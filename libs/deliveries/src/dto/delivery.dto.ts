import { ApiProperty } from '@nestjs/swagger';
import { DELIVERY_OUTCOMES } from '@shopwire/contracts';
import type { Delivery } from '../deliveries.repository';

// camelCase, the shape the console's Deliveries page reads; ids and offsets are strings (Shopify
// ids and Kafka offsets may exceed 2^53).

export class DeliveryKafkaDto {
  @ApiProperty({ example: 'shopify.orders.v1' })
  topic!: string;

  @ApiProperty({ example: 3 })
  partition!: number;

  @ApiProperty({ example: '48213' })
  offset!: string;
}

export class DeliveryDto {
  @ApiProperty({ example: 'order', description: 'The service that journaled it' })
  service!: string;

  @ApiProperty({ example: 'order', description: 'Consumer group' })
  consumer!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    description: "The webhook: the message's own, or the one a domain event was caused by",
  })
  webhookId!: string | null;

  @ApiProperty({ example: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', description: 'The inbox key' })
  eventId!: string;

  @ApiProperty({ type: String, nullable: true, example: 'acme.myshopify.com' })
  shop!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'orders/updated' })
  topic!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '820982911946154508' })
  resourceId!: string | null;

  @ApiProperty({ type: DeliveryKafkaDto })
  kafka!: DeliveryKafkaDto;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '2026-12-06T05:00:00.000Z',
    description: 'Kafka message time: accepted at the gateway, or produced by the outbox',
  })
  acceptedAt!: string | null;

  @ApiProperty({ example: '2026-12-06T05:00:00.120Z' })
  processedAt!: string;

  @ApiProperty({ enum: DELIVERY_OUTCOMES.filter((o) => o !== 'duplicate'), example: 'applied' })
  outcome!: Delivery['outcome'];

  @ApiProperty({ example: 1, description: 'Delivery rounds, this one included' })
  attempts!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'QueryFailedError',
    description: 'Error class of a retrying or dead-lettered delivery (never its message)',
  })
  error!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '4bf92f3577b34da6a3ce929d0e0e4736' })
  traceId!: string | null;

  @ApiProperty({ example: 0, description: 'Times the message came again after it was applied' })
  duplicateCount!: number;

  @ApiProperty({ type: String, nullable: true })
  lastDuplicateAt!: string | null;

  static from(service: string, delivery: Delivery): DeliveryDto {
    return { service, ...delivery };
  }
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryDto] })
  items!: DeliveryDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  nextCursor!: string | null;
}
