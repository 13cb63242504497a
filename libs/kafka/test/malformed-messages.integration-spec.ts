import { collectMessages, headerValue, waitFor } from '@shopwire/testing';
import { randomUUID } from 'node:crypto';
import { ConsumerRunner } from '../src/consumer-runner';
import type { ChunkHandler } from '../src/consumer-runner-types';
import { FailureHeader } from '../src/dead-letter-headers';
import { MalformedMessageError } from '../src/failure-classification';
import { DeadLetterTopics, quietLogger, RecordingPublisher } from './dead-letter-harness';

/**
 * Malformed messages against the real broker: a message the handler cannot read goes straight
 * to the DLQ with its reason — no in-place retries, no retry-topic rounds — and the rest of its
 * chunk commits. (Before, services counted such messages and skipped them: gone without a trace.)
 */
describe('malformed messages (real broker)', () => {
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

  function startRunner(groupId: string, handleBatch: ChunkHandler): Promise<void> {
    const runner = new ConsumerRunner({
      kafka: topics.kafka,
      groupId,
      topics: [topics.source],
      logger: quietLogger,
      maxChunk: 10,
      retryBaseMs: 10,
      retryCapMs: 40,
      handleBatch,
      deadLetters: {
        group: topics.group,
        producer: publisher,
        inPlaceAttempts: 3,
        maxAttempts: 5,
        retryDelayBaseMs: 100,
      },
    });
    runners.push(runner);
    return runner.start();
  }

  /** Dead letters of one test's group (the runners of earlier tests still read the topic). */
  async function deadLettersOf(groupId: string, count: number) {
    const found = await collectMessages(topics.kafka, topics.deadLetters, {
      filter: (m) => headerValue(m, FailureHeader.ConsumerGroup) === groupId,
      done: (messages) => messages.length >= count,
      timeoutMs: 30_000,
    });
    return found.map((f) => f.message);
  }

  it('a chunk sets its malformed messages aside: they reach the DLQ with the reason, the rest commits', async () => {
    const run = randomUUID().slice(0, 8);
    const groupId = `${topics.group}-aside-${run}`;
    const values = [
      `{"n":1,"run":"${run}"}`,
      `{"n":2,"run":"${run}"`, // cut short
      `{"n":3,"run":"${run}"}`,
      `not json at all ${run}`,
      `{"n":5,"run":"${run}"}`,
    ];
    const applied: number[] = [];
    const handed: string[] = [];
    await topics.produce(values.map((value, i) => ({ key: `shop/${i}`, value })));
    await startRunner(groupId, (messages, context) => {
      handed.push(...messages.map((m) => m.offset));
      const good: number[] = [];
      for (const message of messages) {
        try {
          good.push((JSON.parse(String(message.value)) as { n: number }).n);
        } catch {
          context.deadLetter!(
            message,
            new MalformedMessageError('malformed:json', 'payload is not valid JSON'),
          );
        }
      }
      applied.push(...good); // "commits" with the chunk
      return Promise.resolve();
    });

    const dead = await deadLettersOf(groupId, 2);
    expect(dead.map((m) => String(m.value))).toEqual([values[1], values[3]]);
    for (const [letter, offset] of [
      [dead[0]!, 1],
      [dead[1]!, 3],
    ] as const) {
      expect(headerValue(letter, FailureHeader.DeadLetterReason)).toBe('malformed:json');
      expect(headerValue(letter, FailureHeader.ErrorType)).toBe('MalformedMessageError');
      expect(headerValue(letter, FailureHeader.ErrorMessage)).toBe('payload is not valid JSON');
      expect(headerValue(letter, FailureHeader.Attempts)).toBe('1');
      expect(headerValue(letter, FailureHeader.SourceTopic)).toBe(topics.source);
      expect(Number(headerValue(letter, FailureHeader.SourceOffset))).toBeGreaterThanOrEqual(
        offset,
      );
    }
    await waitFor(async () => (await topics.committed(groupId, topics.source)).get(0) !== '-1');
    const committed = Number((await topics.committed(groupId, topics.source)).get(0));
    const first = Number(headerValue(dead[0]!, FailureHeader.SourceOffset)) - 1;
    expect(committed).toBe(first + values.length);
    // each message handed over once (no retries); the good ones applied once; no retry topic
    expect(new Set(handed).size).toBe(handed.length);
    expect(handed).toHaveLength(values.length);
    expect(applied).toEqual([1, 3, 5]);
    expect(
      publisher
        .to(topics.retry)
        .filter((s) => s.message.headers[FailureHeader.ConsumerGroup] === groupId),
    ).toEqual([]);
  });

  it('a thrown MalformedMessageError skips the in-place retries and the retry rounds as well', async () => {
    const run = randomUUID().slice(0, 8);
    const groupId = `${topics.group}-thrown-${run}`;
    const applied: string[] = [];
    const attemptsOnBad: number[] = [];
    await topics.produce([
      { key: 'shop/a', value: `ok-1-${run}` },
      { key: 'shop/b', value: `bad-${run}` },
      { key: 'shop/c', value: `ok-2-${run}` },
    ]);
    await startRunner(groupId, (messages) => {
      // (the topic also holds the first test's messages: a new group reads from the start)
      const values = messages.map((m) => String(m.value)).filter((v) => v.endsWith(run));
      if (values.some((v) => v.startsWith('bad'))) {
        attemptsOnBad.push(values.length);
        throw new MalformedMessageError('malformed:payload', 'order without an id');
      }
      applied.push(...values);
      return Promise.resolve();
    });
    const [letter] = await deadLettersOf(groupId, 1);
    expect(String(letter!.value)).toBe(`bad-${run}`);
    expect(headerValue(letter!, FailureHeader.DeadLetterReason)).toBe('malformed:payload');
    expect(headerValue(letter!, FailureHeader.Attempts)).toBe('1');
    await waitFor(() => applied.length === 2);
    expect(applied.sort()).toEqual([`ok-1-${run}`, `ok-2-${run}`]);
    // the chunk once, then the bad message alone once: never retried
    expect(attemptsOnBad).toHaveLength(2);
    expect(attemptsOnBad[1]).toBe(1);
    expect(
      publisher
        .to(topics.retry)
        .filter((s) => s.message.headers[FailureHeader.ConsumerGroup] === groupId),
    ).toEqual([]);
  });
});
