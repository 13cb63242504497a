import { testKafka } from '@shopwire/testing';
import { ConfigResourceTypes, type Admin, type Kafka } from 'kafkajs';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { provisionTopics } from '../src/topic-provisioning';

// min.insync.replicas as provisioning sets it, against the real single-node broker: set when a
// topic is created, converged when provisioning re-runs on an existing topic. (The broker counts
// it as at most the replica count, so a single node cannot show a refused write; that producers
// ask for acks=all is checked in batching-producer.spec.ts.)
const exec = promisify(execFile);

async function minInsync(admin: Admin, topic: string): Promise<string | undefined> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [
      { type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['min.insync.replicas'] },
    ],
  });
  return described.resources[0]?.configEntries.find((e) => e.configName === 'min.insync.replicas')
    ?.configValue;
}

describe('topic durability settings (real broker)', () => {
  let kafka: Kafka;
  let admin: Admin;
  const topic = `durability.it.${randomUUID()}.v1`;

  beforeAll(async () => {
    kafka = testKafka('durability-it');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('min.insync.replicas is set on create and converged on re-run', async () => {
    const spec = (isr: number) => ({
      topic,
      partitions: 1,
      replicationFactor: 1,
      configs: { 'min.insync.replicas': String(isr) },
    });
    await provisionTopics(admin, [spec(2)]);
    expect(await minInsync(admin, topic)).toBe('2');

    await provisionTopics(admin, [spec(1)]);
    expect(await minInsync(admin, topic)).toBe('1');
  });

  it('provisioning refuses more in-sync replicas than replicas before touching the broker', async () => {
    const script = resolve(__dirname, '../../../dist/scripts/provision.js');
    const run = exec(process.execPath, [script], {
      env: {
        ...process.env,
        KAFKA_REPLICATION_FACTOR: '1',
        KAFKA_MIN_INSYNC_REPLICAS: '2',
        // nothing listens here: a refusal that came after connecting would time out instead
        KAFKA_BROKERS: '127.0.0.1:1',
      },
    });
    const failure = (await run.then(
      () => null,
      (error: unknown) => error,
    )) as { code?: number; stderr?: string } | null;
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(
      /KAFKA_MIN_INSYNC_REPLICAS \(2\) is more than KAFKA_REPLICATION_FACTOR \(1\)/,
    );
  });
});
