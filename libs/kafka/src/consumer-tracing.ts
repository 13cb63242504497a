import { extractTraceContext, SpanKind, tracer, type Span } from '@shopwire/observability';
import type { KafkaMessage } from 'kafkajs';
import type { ChunkContext } from './consumer-runner-types';

const spans = tracer('shopwire.kafka.consumer');

/** The consumer spans of one chunk: one per message, each a child of the trace it carries. */
export interface ChunkSpans {
  /** Ends every span: `null` when the chunk committed, else why it did not. */
  end(failure: string | null): void;
}

/**
 * One `process <topic>` span per message, parented by the `traceparent` the producer put in its
 * headers (the gateway for webhooks, the outbox for domain events), so a webhook's trace runs
 * through every consumer that handled it. They cover the chunk's transaction and offset commit;
 * a handler's own spans for the same event hang off the same parent.
 */
export function startChunkSpans(
  messages: KafkaMessage[],
  context: ChunkContext,
  groupId: string,
): ChunkSpans {
  const started: Span[] = messages.map((message) =>
    spans.startSpan(
      `process ${context.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation': 'process',
          'messaging.destination.name': context.topic,
          'messaging.destination.partition.id': String(context.partition),
          'messaging.kafka.consumer.group': groupId,
          'messaging.kafka.message.offset': message.offset,
          'messaging.batch.message_count': messages.length,
          ...(context.redelivery
            ? { 'shopwire.redelivery.attempts': context.redelivery.attempts }
            : {}),
        },
      },
      extractTraceContext(message.headers),
    ),
  );
  return {
    end(failure) {
      for (const span of started) {
        if (failure) span.setStatus({ code: 2, message: failure }); // SpanStatusCode.ERROR
        span.end();
      }
    },
  };
}
