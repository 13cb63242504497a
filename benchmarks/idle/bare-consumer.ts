// The idle benchmark's floor for a Kafka consumer: one kafkajs consumer in a group of its own,
// reading one topic from its end, with the fetch settings and the client (request-queue fix,
// session timeout) of a service's consumers, and nothing else — no Nest, no Postgres, no
// metrics. Prints "ready" once it joined its group; stops on SIGTERM.
//
//   node dist/benchmarks/idle/bare-consumer.js <group> <topic>
import { kafkaConnection, kafkaEnv, loadConfig, z } from '@shopwire/config';
import { createKafkaClient } from '@shopwire/kafka';
import pino from 'pino';

async function main(): Promise<void> {
  const [groupId, topic] = process.argv.slice(2);
  if (!groupId || !topic) throw new Error('usage: bare-consumer <group> <topic>');
  const kafka = createKafkaClient({
    ...kafkaConnection(loadConfig(z.object(kafkaEnv))),
    clientId: 'bench-idle-bare',
    logger: pino({ level: 'silent' }),
  });
  // ConsumerRunner's defaults (libs/kafka/src/consumer-runner.ts).
  const consumer = kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    minBytes: 64 * 1024,
    maxWaitTimeInMs: 200,
  });
  consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write('ready\n'));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  await consumer.run({ autoCommit: false, eachBatch: async () => undefined });
  process.once('SIGTERM', () => {
    void consumer.disconnect().finally(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`bare-consumer failed: ${String(error)}\n`);
  process.exit(1);
});
