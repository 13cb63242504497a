import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';

/**
 * Where personal data could hide, searched for a set of strings (a customer's email, names,
 * phone): every text-like column of every table in the database, every Redis key and value, and
 * every Kafka message written between two points in time. Each answers "where", so a failure
 * names the place.
 */

const SYSTEM_SCHEMAS = ['pg_catalog', 'information_schema', 'pg_toast'];
const TEXT_TYPES = ['text', 'character varying', 'character', 'json', 'jsonb', 'bytea', 'ARRAY'];

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const patterns = (needles: readonly string[]) => needles.map((n) => `%${n.toLowerCase()}%`);

/** `schema.table.column` for every column holding one of the needles (case-insensitive). */
export async function searchDatabase(db: Pool, needles: readonly string[]): Promise<string[]> {
  const columns = await db.query<{ s: string; t: string; c: string; type: string }>(
    `SELECT c.table_schema AS s, c.table_name AS t, c.column_name AS c, c.data_type AS type
       FROM information_schema.columns c
       JOIN information_schema.tables t USING (table_schema, table_name)
      WHERE t.table_type = 'BASE TABLE' AND c.table_schema <> ALL($1::text[])
        AND c.table_schema NOT LIKE 'pg_temp%' AND c.data_type = ANY($2::text[])
      ORDER BY 1, 2, 3`,
    [SYSTEM_SCHEMAS, TEXT_TYPES],
  );
  const found: string[] = [];
  for (const { s, t, c, type } of columns.rows) {
    const value = type === 'bytea' ? `encode(${quote(c)}, 'escape')` : `${quote(c)}::text`;
    const result = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM ${quote(s)}.${quote(t)} WHERE lower(${value}) LIKE ANY($1::text[])`,
      [patterns(needles)],
    );
    if (Number(result.rows[0].n) > 0) found.push(`${s}.${t}.${c}`);
  }
  return found;
}

/** Keys whose name or value holds one of the needles (strings, hashes, lists, sets, zsets, streams). */
export async function searchRedis(redis: Redis, needles: readonly string[]): Promise<string[]> {
  const lowered = needles.map((n) => n.toLowerCase());
  const holds = (text: string) => lowered.some((n) => text.toLowerCase().includes(n));
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      let values: string[] = [];
      const type = await redis.type(key);
      if (type === 'string') values = [(await redis.getBuffer(key))?.toString('latin1') ?? ''];
      else if (type === 'hash') values = Object.entries(await redis.hgetall(key)).flat();
      else if (type === 'list') values = await redis.lrange(key, 0, -1);
      else if (type === 'set') values = await redis.smembers(key);
      else if (type === 'zset') values = await redis.zrange(key, 0, -1);
      else if (type === 'stream')
        values = (await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
      if (holds(key) || values.some(holds)) found.push(key);
    }
  } while (cursor !== '0');
  return found;
}

/** Each partition's next offset, for every topic but Kafka's own: "from now on". */
export type TopicPositions = Map<string, Map<number, bigint>>;

export async function positionsNow(kafka: Kafka): Promise<TopicPositions> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
    const positions: TopicPositions = new Map();
    for (const topic of topics) {
      const offsets = await admin.fetchTopicOffsets(topic);
      positions.set(topic, new Map(offsets.map((o) => [o.partition, BigInt(o.high)])));
    }
    return positions;
  } finally {
    await admin.disconnect();
  }
}

export interface FoundMessage {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Every message written to any topic between `from` and now (topics created since count from
 * their start), searched in key, value and headers. Reads with a throwaway group seeked to `from`
 * on each partition, until every partition reached the end measured when the call began.
 */
export async function searchKafkaSince(
  kafka: Kafka,
  from: TopicPositions,
  needles: readonly string[],
  options: {
    skipTopic?: (topic: string) => boolean;
    /** Read but not searched (e.g. the redact request itself, which names the customer). */
    ignore?: (message: KafkaMessage) => boolean;
    timeoutMs?: number;
  } = {},
): Promise<{ found: FoundMessage[]; read: number }> {
  const lowered = needles.map((n) => n.toLowerCase());
  const holds = (buffer: Buffer | string | null | undefined) => {
    if (buffer === null || buffer === undefined) return false;
    const text = (typeof buffer === 'string' ? buffer : buffer.toString('latin1')).toLowerCase();
    return lowered.some((n) => text.includes(n));
  };
  const messageHolds = (message: KafkaMessage) =>
    holds(message.key) ||
    holds(message.value) ||
    Object.entries(message.headers ?? {}).some(
      ([name, value]) =>
        holds(name) ||
        (Array.isArray(value) ? value.some((v) => holds(v)) : holds(value as Buffer | string)),
    );

  const ends = await positionsNow(kafka);
  const start = (topic: string, partition: number) => from.get(topic)?.get(partition) ?? 0n;
  const pending = new Set<string>();
  const topics: string[] = [];
  for (const [topic, partitions] of ends) {
    if (options.skipTopic?.(topic)) continue;
    let any = false;
    for (const [partition, end] of partitions) {
      if (end > start(topic, partition)) {
        pending.add(`${topic}:${partition}`);
        any = true;
      }
    }
    if (any) topics.push(topic);
  }
  if (topics.length === 0) return { found: [], read: 0 };

  const found: FoundMessage[] = [];
  let read = 0;
  const consumer = kafka.consumer({
    groupId: `erasure-probe-${randomUUID()}`,
    maxWaitTimeInMs: 100,
    // One member reads everything: no rebalance hands a partition away mid-read.
    sessionTimeout: 30_000,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const offset = BigInt(message.offset);
        const end = ends.get(topic)?.get(partition) ?? 0n;
        if (offset >= start(topic, partition) && offset < end) {
          read++;
          if (!options.ignore?.(message) && messageHolds(message))
            found.push({ topic, partition, offset: message.offset });
        }
        if (offset >= end - 1n && pending.delete(`${topic}:${partition}`) && pending.size === 0)
          finish();
      },
    });
    for (const topic of topics) {
      for (const partition of ends.get(topic)?.keys() ?? []) {
        consumer.seek({ topic, partition, offset: String(start(topic, partition)) });
      }
    }
    const timeoutMs = options.timeoutMs ?? 90_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([finished.then(() => 'done' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      throw new Error(`Kafka not read to the end in ${timeoutMs} ms: ${[...pending].join(', ')}`);
    return { found, read };
  } finally {
    await consumer.disconnect();
  }
}
