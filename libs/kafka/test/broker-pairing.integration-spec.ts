import { TEST_KAFKA_BROKERS, commitGroupOffsets, testKafka, waitFor } from '@shopwire/testing';
import {
  CompressionTypes,
  type Admin,
  type Consumer,
  type EachMessagePayload,
  type Kafka,
  type Producer,
  type RequestEvent,
} from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { fetchTopicOffsetsSettled } from '../src/topic-offsets';
import { provisionTopics } from '../src/topic-provisioning';

/**
 * The kafkajs ↔ broker pairing smoke test (docs/adr/0001-kafka-broker-line.md). kafkajs 2.2.4 is
 * unmaintained and was only ever CI-tested against Kafka 2.4, and Kafka 4.0 dropped old request
 * versions (KIP-896) — while kafkajs picks min(its newest version, the broker's newest) and never
 * looks at the broker's oldest. So this suite runs every protocol path Shopwire relies on against
 * the running broker, records each request version kafkajs sends, and checks them all against the
 * broker's own ApiVersions answer. A broker or client change that breaks the pairing fails here.
 *
 * Run it against another broker with KAFKA_BROKERS=host:port (PLAINTEXT).
 */

/** Every API key the broker serves, with its oldest and newest version: its ApiVersions (v0) answer. */
type BrokerApiVersions = Map<number, { min: number; max: number }>;

// kafkajs's own table of API names by key (pinned 2.2.4), for readable output.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const API_KEYS = require('kafkajs/src/protocol/requests/apiKeys') as Record<string, number>;
const apiName = (key: number) =>
  Object.entries(API_KEYS).find(([, k]) => k === key)?.[0] ?? `api#${key}`;

/**
 * Asks the broker for its ApiVersions over a plain socket, so the answer does not come through
 * the client under test. ApiVersions v0 is the one version every broker keeps (clients must be
 * able to ask before they know anything): request header v1, empty body.
 */
function brokerApiVersions(hostPort: string): Promise<BrokerApiVersions> {
  const [host, port] = [hostPort.slice(0, hostPort.lastIndexOf(':')), hostPort.split(':').pop()];
  const clientId = Buffer.from('pairing-smoke');
  const header = Buffer.alloc(10);
  header.writeInt16BE(18, 0); // ApiVersions
  header.writeInt16BE(0, 2); // v0
  header.writeInt32BE(7, 4); // correlation id
  header.writeInt16BE(clientId.length, 8);
  const body = Buffer.concat([header, clientId]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);

  return new Promise((resolve, reject) => {
    const socket = connect({ host, port: Number(port) }, () =>
      socket.write(Buffer.concat([size, body])),
    );
    socket.setTimeout(10_000, () => socket.destroy(new Error('ApiVersions: no answer in 10 s')));
    let received = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      socket.end();
      const correlationId = received.readInt32BE(4);
      const errorCode = received.readInt16BE(8);
      if (correlationId !== 7 || errorCode !== 0) {
        reject(new Error(`ApiVersions answered correlation ${correlationId}, error ${errorCode}`));
        return;
      }
      const versions: BrokerApiVersions = new Map();
      const count = received.readInt32BE(10);
      for (let i = 0, at = 14; i < count; i++, at += 6) {
        versions.set(received.readInt16BE(at), {
          min: received.readInt16BE(at + 2),
          max: received.readInt16BE(at + 4),
        });
      }
      resolve(versions);
    });
    socket.on('error', reject);
  });
}

describe('kafkajs ↔ broker pairing (real broker)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let broker: BrokerApiVersions;
  const run = randomUUID().slice(0, 8);
  const topic = `pairing.smoke.${run}.v1`;
  const compressed = `pairing.gzip.${run}.v1`;
  const txIn = `pairing.tx-in.${run}.v1`;
  const txOut = `pairing.tx-out.${run}.v1`;
  const grouped = `pairing.group.${run}.v1`;
  const allTopics = [topic, compressed, txIn, txOut, grouped];

  /** "ApiName vN" of every request kafkajs sent in this suite, and how often. */
  const asked = new Map<string, { key: number; version: number; count: number }>();
  const clients: { disconnect(): Promise<void> }[] = [];

  function recordRequests<T extends Admin | Producer | Consumer>(client: T): T {
    const record = (event: RequestEvent) => {
      const { apiKey, apiName: name, apiVersion } = event.payload;
      const id = `${name} v${apiVersion}`;
      const seen = asked.get(id) ?? { key: apiKey, version: apiVersion, count: 0 };
      seen.count++;
      asked.set(id, seen);
    };
    // Each client type names the event itself; the payload is the same network event.
    (client as Consumer).on((client as Consumer).events.REQUEST, record);
    clients.push(client);
    return client;
  }

  const consumer = (groupId: string, extra: Partial<Parameters<Kafka['consumer']>[0]> = {}) =>
    recordRequests(
      kafka.consumer({
        groupId,
        maxWaitTimeInMs: 100,
        sessionTimeout: 10_000,
        heartbeatInterval: 500,
        ...extra,
      }),
    );

  beforeAll(async () => {
    broker = await brokerApiVersions(TEST_KAFKA_BROKERS[0]);
    const table = [...broker]
      .filter(([key]) => apiName(key) !== `api#${key}`)
      .map(([key, { min, max }]) => `${apiName(key)}(${key}) v${min}-v${max}`);
    // The broker's side of the pairing, in the test log for docs/adr/0001.
    console.log(
      `broker ${TEST_KAFKA_BROKERS[0]} serves ${broker.size} APIs; those kafkajs knows:\n  ${table.join('\n  ')}`,
    );
    kafka = testKafka('pairing-smoke');
    admin = recordRequests(kafka.admin());
    await admin.connect();
  });

  afterAll(async () => {
    for (const client of clients.reverse()) await client.disconnect().catch(() => undefined);
    const cleanup = kafka.admin();
    await cleanup.connect();
    await cleanup.deleteTopics({ topics: allTopics }).catch(() => undefined);
    await cleanup.disconnect();
  });

  it('admin: creates topics explicitly, raises partitions, describes them; auto-creation is off', async () => {
    const first = await provisionTopics(admin, [{ topic, partitions: 3, replicationFactor: 1 }]);
    expect(first.created).toEqual([topic]);
    const second = await provisionTopics(admin, [{ topic, partitions: 6, replicationFactor: 1 }]);
    expect(second.expanded).toEqual([topic]);
    const again = await provisionTopics(admin, [{ topic, partitions: 6, replicationFactor: 1 }]);
    expect(again.unchanged).toEqual([topic]);
    const others = await provisionTopics(
      admin,
      [compressed, txIn, txOut, grouped].map((t) => ({
        topic: t,
        partitions: 6,
        replicationFactor: 1,
        configs: { 'retention.ms': '3600000' },
      })),
    );
    expect(others.created).toHaveLength(4);

    const metadata = await admin.fetchTopicMetadata({ topics: allTopics });
    expect(metadata.topics.map((t) => t.partitions.length)).toEqual([6, 6, 6, 6, 6]);
    expect(metadata.topics.every((t) => t.partitions.every((p) => p.leader >= 0))).toBe(true);
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* TOPIC */, name: grouped, configNames: ['retention.ms'] }],
    });
    expect(described.resources[0].configEntries).toEqual([
      expect.objectContaining({ configName: 'retention.ms', configValue: '3600000' }),
    ]);
    expect(await admin.listTopics()).toEqual(expect.arrayContaining(allTopics));

    // The broker must refuse to invent topics: a typo must not silently create one.
    const producer = recordRequests(
      kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 1 } }),
    );
    await producer.connect();
    await expect(
      producer.send({ topic: `pairing.missing.${run}`, messages: [{ value: 'x' }], acks: -1 }),
    ).rejects.toThrow();
    await producer.disconnect();
  });

  it('producer: idempotent, acks=-1, GZIP sendBatch over two topics; read back intact', async () => {
    const producer = recordRequests(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();
    const batch = (t: string) =>
      Array.from({ length: 25 }, (_, i) => ({
        key: `shop/${i % 5}`,
        value: `${t}:${i}:${'x'.repeat(200)}`,
        headers: { 'x-n': String(i) },
      }));
    const results = await producer.sendBatch({
      topicMessages: [
        { topic: compressed, messages: batch(compressed) },
        { topic, messages: batch(topic) },
      ],
      acks: -1,
      compression: CompressionTypes.GZIP,
    });
    expect(results.every((r) => r.errorCode === 0)).toBe(true);
    await producer.disconnect();

    const ends = await fetchTopicOffsetsSettled(admin, compressed);
    expect(ends.reduce((sum, p) => sum + Number(p.high), 0)).toBe(25);

    const reader = consumer(`pairing-gzip-${run}`);
    await reader.connect();
    await reader.subscribe({ topic: compressed, fromBeginning: true });
    const read: EachMessagePayload['message'][] = [];
    await reader.run({
      eachMessage: async ({ message }) => {
        read.push(message);
      },
    });
    await waitFor(() => read.length >= 25, 'the 25 GZIP messages read back', 30_000);
    await reader.disconnect();
    expect(read.map((m) => String(m.value)).sort()).toEqual(
      batch(compressed)
        .map((m) => m.value)
        .sort(),
    );
    expect(read.every((m) => String(m.value).endsWith('x'.repeat(200)))).toBe(true);
    expect(new Set(read.map((m) => String(m.headers?.['x-n'])))).toHaveProperty('size', 25);
  });

  it('transactions: consume-transform-produce with sendOffsets; an aborted one stays invisible', async () => {
    const groupId = `pairing-tx-${run}`;
    const seed = recordRequests(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    await seed.connect();
    await seed.send({
      topic: txIn,
      acks: -1,
      messages: Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: `in-${i}` })),
    });
    await seed.disconnect();

    const tx = recordRequests(
      kafka.producer({
        transactionalId: `pairing-tx-${run}`,
        idempotent: true,
        maxInFlightRequests: 1,
      }),
    );
    await tx.connect();

    // An aborted transaction first: read_committed readers must never see it.
    const aborted = await tx.transaction();
    await aborted.send({ topic: txOut, messages: [{ key: 'k', value: 'aborted' }] });
    await aborted.abort();

    const source = consumer(groupId);
    await source.connect();
    await source.subscribe({ topic: txIn, fromBeginning: true });
    let transformed = 0;
    await source.run({
      autoCommit: false,
      eachMessage: async ({ topic: t, partition, message }) => {
        const transaction = await tx.transaction();
        try {
          await transaction.send({
            topic: txOut,
            messages: [{ key: message.key, value: `out-${String(message.value)}` }],
          });
          await transaction.sendOffsets({
            consumerGroupId: groupId,
            topics: [
              {
                topic: t,
                partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }],
              },
            ],
          });
          await transaction.commit();
          transformed++;
        } catch (error) {
          await transaction.abort();
          throw error;
        }
      },
    });
    await waitFor(() => transformed === 12, '12 messages transformed in transactions', 60_000);
    await source.disconnect();
    await tx.disconnect();

    // The offsets went in with the transactions, through the transaction coordinator.
    const committed = await admin.fetchOffsets({ groupId, topics: [txIn] });
    expect(committed[0].partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0)).toBe(
      12,
    );

    const reader = consumer(`pairing-tx-read-${run}`); // read_committed: kafkajs's default
    await reader.connect();
    await reader.subscribe({ topic: txOut, fromBeginning: true });
    const out: string[] = [];
    await reader.run({
      eachMessage: async ({ message }) => {
        out.push(String(message.value));
      },
    });
    await waitFor(() => out.length >= 12, 'the 12 committed outputs', 30_000);
    await new Promise((r) => setTimeout(r, 500)); // an aborted record would arrive with them
    await reader.disconnect();
    expect(out.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `out-in-${i}`).sort());
  });

  it('a two-member group shares the partitions, commits by hand, and a restart re-reads nothing', async () => {
    const groupId = `pairing-group-${run}`;
    const byMember = new Map<string, string[]>();
    const assignments = new Map<string, number[]>();

    const member = async (name: string) => {
      const c = consumer(groupId);
      c.on(c.events.GROUP_JOIN, ({ payload }) =>
        assignments.set(name, [...(payload.memberAssignment[grouped] ?? [])].sort()),
      );
      await c.connect();
      await c.subscribe({ topic: grouped, fromBeginning: true });
      byMember.set(name, []);
      await c.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          byMember.get(name)?.push(String(message.value));
          await c.commitOffsets([
            { topic: grouped, partition, offset: (BigInt(message.offset) + 1n).toString() },
          ]);
        },
      });
      return c;
    };

    const a = await member('a');
    const b = await member('b');
    // Both in the same generation: six partitions, split without overlap.
    await waitFor(
      () => {
        const [pa, pb] = [assignments.get('a') ?? [], assignments.get('b') ?? []];
        return pa.length > 0 && pb.length > 0 && pa.length + pb.length === 6;
      },
      'both members hold partitions',
      60_000,
    );
    expect(
      [...(assignments.get('a') ?? []), ...(assignments.get('b') ?? [])].sort((x, y) => x - y),
    ).toEqual([0, 1, 2, 3, 4, 5]);

    const producer = recordRequests(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();
    const first = Array.from({ length: 30 }, (_, i) => `first-${i}`);
    await producer.send({
      topic: grouped,
      acks: -1,
      messages: first.map((value, i) => ({ key: `key-${i}`, value })),
    });
    const all = () => [...byMember.values()].flat();
    await waitFor(() => all().length >= 30, 'the group read the first 30', 30_000);
    expect(all().sort()).toEqual([...first].sort());
    expect(byMember.get('a')?.length).toBeGreaterThan(0);
    expect(byMember.get('b')?.length).toBeGreaterThan(0);

    // Stop both (they leave the group), write more, and start one member again: it must resume
    // from the hand-made commits and see only what is new.
    await a.disconnect();
    await b.disconnect();
    const second = Array.from({ length: 10 }, (_, i) => `second-${i}`);
    await producer.send({
      topic: grouped,
      acks: -1,
      messages: second.map((value, i) => ({ key: `key-${i}`, value })),
    });
    await producer.disconnect();
    byMember.clear();
    const again = await member('again');
    await waitFor(() => all().length >= 10, 'the restarted member read the new 10', 30_000);
    await new Promise((r) => setTimeout(r, 500)); // a re-read would arrive with them
    await again.disconnect();
    expect(all().sort()).toEqual([...second].sort());
  });

  it('pause and resume: a paused topic delivers nothing until resumed', async () => {
    const c = consumer(`pairing-pause-${run}`);
    await c.connect();
    await c.subscribe({ topic, fromBeginning: false });
    let joined = false;
    c.on(c.events.GROUP_JOIN, () => {
      joined = true;
    });
    const got: string[] = [];
    await c.run({
      eachMessage: async ({ message }) => {
        got.push(String(message.value));
      },
    });
    await waitFor(() => joined, 'the consumer joined', 30_000);
    // fromBeginning: false starts a new group at the end; wait until its position is taken.
    await new Promise((r) => setTimeout(r, 500));
    c.pause([{ topic }]);

    const producer = recordRequests(kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
    await producer.connect();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 8 }, (_, i) => ({ value: `paused-${i}` })),
    });
    await producer.disconnect();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(got).toEqual([]);
    expect(c.paused().map((p) => p.topic)).toEqual([topic]);

    c.resume([{ topic }]);
    await waitFor(() => got.length >= 8, 'the 8 messages after resume', 30_000);
    await c.disconnect();
    expect(got.sort()).toEqual(Array.from({ length: 8 }, (_, i) => `paused-${i}`).sort());
  });

  it('admin and group control: cluster, groups, offsets set by hand, configs altered, topics deleted', async () => {
    const cluster = await admin.describeCluster();
    expect(cluster.brokers).toHaveLength(1);
    expect(cluster.controller).toBe(cluster.brokers[0].nodeId);

    // The group of the previous test is empty now; the ops tools and test harness move such a
    // group's offsets with setOffsets and with commitGroupOffsets (describeGroup, pause, seek).
    const groupId = `pairing-group-${run}`;
    const [described] = (await admin.describeGroups([groupId])).groups;
    expect(described).toMatchObject({ groupId, state: 'Empty', members: [] });
    await admin.setOffsets({
      groupId,
      topic: grouped,
      partitions: [{ partition: 0, offset: '0' }],
    });
    const ends = await fetchTopicOffsetsSettled(admin, grouped);
    await commitGroupOffsets(kafka, groupId, [
      { topic: grouped, partitions: ends.map(({ partition }) => ({ partition, offset: '1' })) },
    ]);
    const offsets = await admin.fetchOffsets({ groupId, topics: [grouped] });
    expect(offsets[0].partitions.map((p) => p.offset)).toEqual(['1', '1', '1', '1', '1', '1']);

    // Provisioning an existing topic converges its declared configs (alterConfigs).
    await provisionTopics(admin, [
      {
        topic: grouped,
        partitions: 6,
        replicationFactor: 1,
        configs: { 'retention.ms': '7200000' },
      },
    ]);
    const altered = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2 /* TOPIC */, name: grouped, configNames: ['retention.ms'] }],
    });
    expect(altered.resources[0].configEntries[0].configValue).toBe('7200000');

    await admin.deleteTopics({ topics: [txIn, txOut] });
    await waitFor(
      async () => !(await admin.listTopics()).some((t) => t === txIn || t === txOut),
      'the transaction topics deleted',
      30_000,
    );
  });

  it('every request version kafkajs sent is one the broker serves', () => {
    const lines = [...asked]
      .sort(([, x], [, y]) => x.key - y.key)
      .map(([id, { key, version, count }]) => {
        const range = broker.get(key);
        const ok = !!range && range.min <= version && version <= range.max;
        return {
          id,
          ok,
          line: `${ok ? 'ok ' : 'NO '} ${id} ×${count} (broker v${range?.min}-v${range?.max})`,
        };
      });
    console.log(
      `kafkajs asked ${lines.length} request versions of ${TEST_KAFKA_BROKERS[0]}:\n  ${lines.map((l) => l.line).join('\n  ')}`,
    );
    // Every protocol path above ran, so these are all there.
    expect(lines.map((l) => l.id.split(' ')[0])).toEqual(
      expect.arrayContaining([
        'ApiVersions',
        'Metadata',
        'CreateTopics',
        'CreatePartitions',
        'DescribeConfigs',
        'AlterConfigs',
        'DeleteTopics',
        'DescribeGroups',
        'Produce',
        'Fetch',
        'ListOffsets',
        'InitProducerId',
        'AddPartitionsToTxn',
        'AddOffsetsToTxn',
        'TxnOffsetCommit',
        'EndTxn',
        'GroupCoordinator',
        'JoinGroup',
        'SyncGroup',
        'Heartbeat',
        'OffsetCommit',
        'OffsetFetch',
        'LeaveGroup',
      ]),
    );
    expect(lines.filter((l) => !l.ok).map((l) => l.id)).toEqual([]);
  });
});
