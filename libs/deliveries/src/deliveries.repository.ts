import type { DeliveryOutcome } from '@shopwire/contracts';
import { assertIdentifier, schemaOf } from '@shopwire/database';
import type { DataSource } from 'typeorm';
import {
  decodeDeliveryCursor,
  encodeDeliveryCursor,
  type DeliveryPosition,
} from './delivery-cursor';

export interface DeliveryFilter {
  shop?: string;
  webhookId?: string;
  resourceId?: string;
  /** The Shopify topic or domain event type, or the Kafka topic. */
  topic?: string;
  /** Processed at or after. */
  from?: Date;
  /** Processed before. */
  to?: Date;
  /** `duplicate`: rows whose message came again after it was applied. */
  outcome?: DeliveryOutcome;
}

/** One journal row as the API answers it (see `DeliveryDto`). */
export interface Delivery {
  consumer: string;
  webhookId: string | null;
  eventId: string;
  shop: string | null;
  topic: string | null;
  resourceId: string | null;
  kafka: { topic: string; partition: number; offset: string };
  acceptedAt: string | null;
  processedAt: string;
  outcome: Exclude<DeliveryOutcome, 'duplicate'>;
  attempts: number;
  error: string | null;
  traceId: string | null;
  duplicateCount: number;
  lastDuplicateAt: string | null;
}

export interface DeliveryPage {
  items: Delivery[];
  nextCursor: string | null;
}

interface Row {
  id: string;
  position: string;
  consumer_group: string;
  kafka_topic: string;
  event_id: string;
  kafka_partition: number;
  kafka_offset: string;
  accepted_at: Date | null;
  processed_at: Date;
  webhook_id: string | null;
  shop: string | null;
  topic: string | null;
  resource_id: string | null;
  outcome: Delivery['outcome'];
  attempts: number;
  error: string | null;
  trace_id: string | null;
  duplicate_count: number;
  last_duplicate_at: Date | null;
}

/**
 * Reads the service's delivery journal newest first, a keyset page at a time: every filter is an
 * equality or range on an indexed column, and the page continues strictly after the last row's
 * (processed_at, id), so a page costs the same on the millionth row as on the first.
 */
export class DeliveriesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async list(filter: DeliveryFilter, limit: number, cursor: string | null): Promise<DeliveryPage> {
    const after: DeliveryPosition | null = cursor === null ? null : decodeDeliveryCursor(cursor);
    // One row more than the page tells whether another follows, without a count.
    const { sql, params } = deliveriesQuery(schemaOf(this.dataSource), filter, limit + 1, after);
    const rows: Row[] = await this.dataSource.query(sql, params);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toDelivery),
      nextCursor:
        rows.length > limit && last
          ? encodeDeliveryCursor({ processedAt: last.position, id: last.id })
          : null,
    };
  }
}

/**
 * The statement of one page (exported for the EXPLAIN benchmark, which measures exactly it).
 * Every filter is a bound parameter; only column names are written into the text.
 */
export function deliveriesQuery(
  schema: string,
  filter: DeliveryFilter,
  limit: number,
  after: DeliveryPosition | null,
): { sql: string; params: unknown[] } {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  if (filter.shop !== undefined) where.push(`shop = ${param(filter.shop)}`);
  if (filter.webhookId !== undefined) where.push(`webhook_id = ${param(filter.webhookId)}`);
  if (filter.resourceId !== undefined) where.push(`resource_id = ${param(filter.resourceId)}`);
  if (filter.topic !== undefined) {
    const topic = param(filter.topic);
    where.push(`(topic = ${topic} OR kafka_topic = ${topic})`);
  }
  if (filter.from !== undefined) where.push(`processed_at >= ${param(filter.from)}`);
  if (filter.to !== undefined) where.push(`processed_at < ${param(filter.to)}`);
  if (filter.outcome === 'duplicate') where.push('duplicate_count > 0');
  else if (filter.outcome !== undefined) where.push(`outcome = ${param(filter.outcome)}`);
  if (after) {
    where.push(
      `(processed_at, id) < (${param(after.processedAt)}::timestamptz, ${param(after.id)}::bigint)`,
    );
  }
  return {
    sql: `SELECT id::text, consumer_group, kafka_topic, event_id, kafka_partition,
              kafka_offset::text, accepted_at, processed_at, webhook_id, shop, topic, resource_id,
              outcome, attempts, error, trace_id, duplicate_count, last_duplicate_at,
              to_char(processed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position
         FROM "${assertIdentifier(schema)}".delivery_journal
        ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY processed_at DESC, id DESC
        LIMIT ${param(limit)}`,
    params,
  };
}

function toDelivery(row: Row): Delivery {
  return {
    consumer: row.consumer_group,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    shop: row.shop,
    topic: row.topic,
    resourceId: row.resource_id,
    kafka: { topic: row.kafka_topic, partition: row.kafka_partition, offset: row.kafka_offset },
    acceptedAt: row.accepted_at?.toISOString() ?? null,
    processedAt: row.processed_at.toISOString(),
    outcome: row.outcome,
    attempts: row.attempts,
    error: row.error,
    traceId: row.trace_id,
    duplicateCount: row.duplicate_count,
    lastDuplicateAt: row.last_duplicate_at?.toISOString() ?? null,
  };
}
