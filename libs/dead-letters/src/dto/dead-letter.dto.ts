import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { DeadLetter, DeadLetterPayload } from '../dead-letter';

// snake_case like the other Shopwire APIs; offsets are strings (they may exceed 2^53).

export class DeadLetterErrorDto {
  @ApiProperty({ example: 'OrderPayloadError' })
  type!: string;

  @ApiProperty({ example: 'line_items is missing', description: 'Never payload data' })
  message!: string;
}

export class DeadLetterSummaryDto {
  @ApiProperty({
    example: 'shopify.orders.v1.dlq:2:17',
    description: '<dlq topic>:<partition>:<offset>',
  })
  id!: string;

  @ApiProperty({ example: 'order' })
  group!: string;

  @ApiProperty({ example: 'order', description: 'Kafka group id that failed it' })
  consumer_group!: string;

  @ApiProperty({ example: 'shopify.orders.v1' })
  source_topic!: string;

  @ApiProperty({ example: 2 })
  source_partition!: number;

  @ApiProperty({ example: '48213' })
  source_offset!: string;

  @ApiProperty({ example: 5, description: 'Delivery rounds that failed' })
  attempts!: number;

  @ApiProperty({ example: '2026-11-27T10:00:00.000Z' })
  first_failure_at!: string;

  @ApiProperty({ example: '2026-11-27T10:05:31.000Z' })
  dead_lettered_at!: string;

  @ApiProperty({ type: DeadLetterErrorDto })
  error!: DeadLetterErrorDto;

  @ApiProperty({ type: String, nullable: true, example: 'acme.myshopify.com' })
  shop!: string | null;

  @ApiProperty({ example: 812, description: 'Payload size in bytes' })
  size!: number;

  @ApiProperty({ type: String, nullable: true, description: 'null while pending' })
  replayed_at!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Set if this is a replay that failed again',
  })
  replayed_from!: string | null;

  static from(letter: DeadLetter): DeadLetterSummaryDto {
    return {
      id: letter.id,
      group: letter.group,
      consumer_group: letter.consumerGroup,
      source_topic: letter.sourceTopic,
      source_partition: letter.sourcePartition,
      source_offset: letter.sourceOffset,
      attempts: letter.attempts,
      first_failure_at: letter.firstFailureAt,
      dead_lettered_at: letter.deadLetteredAt,
      error: letter.error,
      shop: letter.shop,
      size: letter.size,
      replayed_at: letter.replayedAt,
      replayed_from: letter.replayedFrom,
    };
  }
}

export class DeadLetterListDto {
  @ApiProperty({ type: [DeadLetterSummaryDto] })
  dead_letters!: DeadLetterSummaryDto[];

  @ApiProperty({
    example: 3,
    description: 'Dead letters on this page (a page never counts the whole DLQ)',
  })
  total!: number;

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Pass as `cursor` for the next page; null once every DLQ partition is read to its end. A page may hold fewer than `limit` letters and still have a next one.',
  })
  next_cursor!: string | null;
}

export class DeadLetterPayloadDto {
  @ApiProperty({ enum: ['utf8', 'base64'] })
  encoding!: 'utf8' | 'base64';

  @ApiProperty()
  data!: string;
}

export class DeadLetterDetailDto extends DeadLetterSummaryDto {
  @ApiProperty({ type: String, nullable: true })
  key!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'The original message headers',
  })
  headers!: Record<string, string>;

  @ApiPropertyOptional({ type: DeadLetterPayloadDto, description: 'Only with ?payload=true' })
  payload?: DeadLetterPayloadDto;

  static detail(letter: DeadLetter & { payload?: DeadLetterPayload }): DeadLetterDetailDto {
    return {
      ...DeadLetterSummaryDto.from(letter),
      key: letter.key,
      headers: letter.headers,
      ...(letter.payload ? { payload: letter.payload } : {}),
    };
  }
}

export class ReplaySkipDto {
  @ApiProperty()
  id!: string;

  @ApiProperty({ enum: ['not found', 'already replayed'] })
  reason!: string;
}

export class ReplayResultDto {
  @ApiProperty({ type: [String] })
  replayed!: string[];

  @ApiProperty({ type: [ReplaySkipDto] })
  skipped!: ReplaySkipDto[];
}
