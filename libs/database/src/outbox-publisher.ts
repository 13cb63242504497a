import type { Message, Producer, TopicMessages } from 'kafkajs';
import type { OutboxPublisher } from './outbox-relay';

/**
 * An `OutboxPublisher` over a kafkajs producer: the whole batch goes out as one `sendBatch` with
 * acks=-1 and resolves only when every partition acknowledged it. Create the producer with
 * `{ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false }`. One request per batch is what keeps a key's order: a batching producer that splits the
 * rows over several requests could write a later row while an earlier one fails and is retried.
 */
export function kafkaOutboxPublisher(producer: Producer): OutboxPublisher {
  // kafkajs refuses to send on a producer whose connect() failed (Kafka down at boot), so the
  // first publish after that connects; the relay's backoff paces the attempts.
  let connected = false;
  producer.on(producer.events.CONNECT, () => {
    connected = true;
  });
  producer.on(producer.events.DISCONNECT, () => {
    connected = false;
  });
  return {
    async publish(messages) {
      if (!connected) await producer.connect();
      await producer.sendBatch({ acks: -1, topicMessages: groupByTopic(messages) });
    },
  };
}

/** Groups messages by topic, keeping their relative order within each topic. */
export function groupByTopic(
  messages: { topic: string; key: string; value: Buffer; headers: Record<string, string> }[],
): TopicMessages[] {
  const byTopic = new Map<string, Message[]>();
  for (const { topic, key, value, headers } of messages) {
    let list = byTopic.get(topic);
    if (!list) byTopic.set(topic, (list = []));
    list.push({ key, value, headers });
  }
  return [...byTopic].map(([topic, list]) => ({ topic, messages: list }));
}
