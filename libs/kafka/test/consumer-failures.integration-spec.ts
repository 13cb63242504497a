import { collectMessages, headerValue, waitFor } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { ConsumerRunner } from '../src/consumer-runner';
import type { ChunkContext } from '../src/consumer-runner-types';
import { FailureHeader } from '../src/dead-letter-headers';
import { PoisonMessageError } from '../src/failure-classification';
import { DeadLetterTopics, quietLogger, RecordingPublisher } from './dead-letter-harness';

/**
 * The failure path of `ConsumerRunner` against the real broker: bounded in-place retries, chunk
 * splitting, the retry topic and the DLQ — and infrastructure errors that must never get there.
 * The handler is "transactional" in memory: a chunk's messages are recorded only if the whole
 * chunk succeeds, as a database transaction would make them.
 */
describe('ConsumerRunner failures (real broker)', () => {
  const topics = new DeadLetterTopics();
  let publisher: RecordingPublisher;
  const runners: ConsumerRunner[] = [];

  beforeAll(async () => {
    await topics.create(1);
    publisher = new RecordingPublisher(topics.kafka);
    await publisher.producer.connect();
  });

  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await publisher.producer.close();
    await topics.close();
  });

  function startRunner(
    groupId: string,
    handle: (values: string[], context: ChunkContext) => void,
    registry?: Registry,
    retryDelayBaseMs = 300,
  ): ConsumerRunner {
    const runner = new ConsumerRunner({
      kafka: topics.kafka,
      groupId,
      topics: [topics.source],
      logger: quietLogger,
      maxChunk: 5,
      retryBaseMs: 10,
      retryCapMs: 40,
      handleBatch: (messages, context) => {
        handle(
          messages.map((m) => String(m.value)),
          context,
        );
        return Promise.resolve();
      },
      deadLetters: {
        group: topics.group,
        producer: publisher,
        inPlaceAttempts: 2,
        maxAttempts: 3,
        retryDelayBaseMs,
        retryDelayCapMs: 5000,
        registry,
      },
    });
    runners.push(runner);
    return runner;
  }

  it('parks a poison message, lets its partition flow, and dead-letters it after N attempts', async () => {
    const run = randomUUID().slice(0, 8);
    const groupId = `${topics.group}-poison-${run}`;
    const registry = new Registry();
    const applied = new Map<string, { count: number; at: number }>();
    const poisonRuns: ChunkContext[] = [];
    const values = Array.from({ length: 12 }, (_, i) =>
      i === 3 ? `poison-${run}` : `ok-${run}-${i}`,
    );

    const runner = startRunner(
      groupId,
      (chunk, context) => {
        if (chunk.some((v) => v.startsWith('poison'))) {
          poisonRuns.push(context);
          throw new Error('cannot apply this message');
        }
        for (const v of chunk) {
          const seen = applied.get(v);
          applied.set(v, { count: (seen?.count ?? 0) + 1, at: Date.now() });
        }
      },
      registry,
    );
    await topics.produce(
      values.map((value, i) => ({ key: `shop/${i % 3}`, value, headers: { 'x-test': value } })),
    );
    await runner.start();

    const dead = await collectMessages(topics.kafka, topics.deadLetters, {
      filter: (m) => String(m.value) === `poison-${run}`,
      done: (found) => found.length >= 1,
      timeoutMs: 30_000,
    });
    expect(dead).toHaveLength(1);
    const [letter] = dead.map((d) => d.message);
    expect(String(letter.value)).toBe(`poison-${run}`);
    expect(headerValue(letter, 'x-test')).toBe(`poison-${run}`);
    expect(headerValue(letter, FailureHeader.SourceTopic)).toBe(topics.source);
    expect(headerValue(letter, FailureHeader.SourcePartition)).toBe('0');
    expect(headerValue(letter, FailureHeader.Attempts)).toBe('3');
    expect(headerValue(letter, FailureHeader.ErrorType)).toBe('Error');
    expect(headerValue(letter, FailureHeader.ErrorMessage)).toBe('cannot apply this message');
    expect(headerValue(letter, FailureHeader.Group)).toBe(topics.group);
    expect(headerValue(letter, FailureHeader.ConsumerGroup)).toBe(groupId);
    expect(headerValue(letter, FailureHeader.FirstFailureAt)).toMatch(/^\d{4}-/);
    const sourceOffset = headerValue(letter, FailureHeader.SourceOffset);

    // Every good message — those sharing the poison's chunk and those after it — applied exactly
    // once, and all of them before the poison reached the DLQ.
    const deadAt = publisher.to(topics.deadLetters)[0].at;
    for (const value of values.filter((v) => v.startsWith('ok'))) {
      expect(applied.get(value)?.count).toBe(1);
      expect(applied.get(value)!.at).toBeLessThan(deadAt);
    }
    // Two rounds on the retry topic before the DLQ, the handler seeing the source topic.
    expect(
      publisher.to(topics.retry).filter((s) => String(s.message.value).startsWith('poison')),
    ).toHaveLength(2);
    const redelivered = poisonRuns.filter((c) => c.redelivery);
    expect(redelivered.length).toBeGreaterThanOrEqual(2);
    expect(redelivered.every((c) => c.topic === topics.source && c.partition === 0)).toBe(true);

    // The source partition is committed past everything; so is the retry topic.
    await waitFor(async () => (await topics.committed(groupId, topics.source)).get(0) === '12', {
      what: 'source offsets committed',
    });
    await waitFor(async () => (await topics.committed(groupId, topics.retry)).get(0) !== '-1', {
      what: 'retry offsets committed',
    });
    expect(sourceOffset).toBe('3');

    const metrics = await registry.getMetricsAsJSON();
    const total = (name: string) =>
      metrics.find((m) => m.name === name)?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;
    expect(total('shopwire_consumer_dead_lettered_total')).toBe(1);
    expect(total('shopwire_consumer_sent_to_retry_topic_total')).toBe(2);
    expect(total('shopwire_consumer_retries_in_place_total')).toBeGreaterThan(0);
    await runner.stop();
  });

  it('sends a PoisonMessageError on without retrying it in place', async () => {
    const run = randomUUID().slice(0, 8);
    const groupId = `${topics.group}-permanent-${run}`;
    const calls: string[] = [];
    const start = await topics.committed(groupId, topics.source); // none yet
    expect(start.get(0)).toBe('-1');
    const offsets = await topics.admin.fetchTopicOffsets(topics.source);
    await topics.admin.setOffsets({
      groupId,
      topic: topics.source,
      partitions: offsets.map((p) => ({ partition: p.partition, offset: p.high })),
    });
    const runner = startRunner(
      groupId,
      (chunk) => {
        calls.push(...chunk);
        if (chunk.includes(`never-${run}`)) {
          calls.push(`at:${Date.now()}`);
          throw new PoisonMessageError('payload is not valid JSON');
        }
      },
      undefined,
      // Long enough that the runner pauses the retry partition instead of sleeping in the batch.
      1200,
    );
    await topics.produce([{ key: 'shop/x', value: `never-${run}` }]);
    await runner.start();
    await waitFor(
      () =>
        publisher.to(topics.deadLetters).some((s) => String(s.message.value) === `never-${run}`),
      {
        timeoutMs: 30_000,
        what: 'the permanent failure to be dead-lettered',
      },
    );
    // One handler call per delivery round (3 rounds), no in-place repeats.
    expect(calls.filter((v) => v === `never-${run}`)).toHaveLength(3);
    // …each round at least its delay after the previous one (1.2 s, then 2.4 s).
    const at = calls.filter((v) => v.startsWith('at:')).map((v) => Number(v.slice(3)));
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(1100);
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(2300);
    await runner.stop();
  });

  it('retries infrastructure failures in place until they clear: nothing parked, nothing lost', async () => {
    const run = randomUUID().slice(0, 8);
    const groupId = `${topics.group}-infra-${run}`;
    const offsets = await topics.admin.fetchTopicOffsets(topics.source);
    await topics.admin.setOffsets({
      groupId,
      topic: topics.source,
      partitions: offsets.map((p) => ({ partition: p.partition, offset: p.high })),
    });
    const parkedBefore = publisher.sent.length;
    const applied = new Map<string, number>();
    let failures = 0;
    const outageUntil = Date.now() + 2500;
    const runner = startRunner(groupId, (chunk) => {
      if (Date.now() < outageUntil) {
        failures += 1;
        // What pg reports when Postgres restarts under a live connection.
        throw Object.assign(new Error('terminating connection due to administrator command'), {
          code: '57P01',
        });
      }
      for (const v of chunk) applied.set(v, (applied.get(v) ?? 0) + 1);
    });
    const values = Array.from({ length: 20 }, (_, i) => `infra-${run}-${i}`);
    await topics.produce(values.map((value, i) => ({ key: `shop/${i % 4}`, value })));
    await runner.start();
    await waitFor(() => values.every((v) => applied.has(v)), {
      timeoutMs: 30_000,
      what: 'every message applied after the outage',
    });
    expect(failures).toBeGreaterThan(2); // well past the 2 in-place attempts of a bad message
    expect(values.map((v) => applied.get(v))).toEqual(values.map(() => 1));
    expect(publisher.sent.length).toBe(parkedBefore);
    const end = String(Number(offsets[0].high) + values.length);
    await waitFor(async () => (await topics.committed(groupId, topics.source)).get(0) === end, {
      what: 'offsets committed after the outage',
    });
    await runner.stop();
  });
});
