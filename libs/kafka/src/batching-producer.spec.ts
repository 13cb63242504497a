import type { Kafka, ProducerBatch } from 'kafkajs';
import pino from 'pino';
import {
  BatchingProducer,
  laneOf,
  ProducerUnavailableError,
  type OutgoingMessage,
} from './batching-producer';

/** A stand-in for kafkajs whose produce requests complete when the test says so. */
class FakeKafka {
  producersCreated = 0;
  requests: { batch: ProducerBatch; settle: (error?: Error) => void }[] = [];
  disconnected = 0;

  producer() {
    this.producersCreated += 1;
    return {
      connect: async () => undefined,
      disconnect: async () => {
        this.disconnected += 1;
      },
      sendBatch: (batch: ProducerBatch) =>
        new Promise<void>((resolve, reject) => {
          this.requests.push({ batch, settle: (error) => (error ? reject(error) : resolve()) });
        }),
    };
  }

  messagesIn(request: number): string[] {
    return this.requests[request].batch.topicMessages!.flatMap((t) =>
      t.messages.map((m) => String(m.key)),
    );
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const message = (key: string, topic = 'shopify.orders.v1'): OutgoingMessage => ({
  topic,
  key,
  value: Buffer.from(key),
  headers: {},
});

function setup(options: ConstructorParameters<typeof BatchingProducer>[2] = {}) {
  const kafka = new FakeKafka();
  const producer = new BatchingProducer(kafka as unknown as Kafka, pino({ level: 'silent' }), {
    lanes: 1,
    ...options,
  });
  return { kafka, producer };
}

describe('BatchingProducer', () => {
  it('sends concurrent messages as one request and resolves them only when it is acked', async () => {
    const { kafka, producer } = setup();
    const settled: string[] = [];
    const sends = ['a', 'b', 'c'].map((key) =>
      producer.send(message(key)).then(() => settled.push(key)),
    );
    await tick();
    await tick();
    expect(kafka.requests).toHaveLength(1);
    expect(kafka.messagesIn(0)).toEqual(['a', 'b', 'c']);
    expect(kafka.requests[0].batch.acks).toBe(-1);
    expect(settled).toEqual([]);
    kafka.requests[0].settle();
    await Promise.all(sends);
    expect(settled).toEqual(['a', 'b', 'c']);
  });

  it('gathers the next batch while a request is in flight', async () => {
    const { kafka, producer } = setup();
    const first = producer.send(message('first'));
    await tick();
    await tick();
    const rest = ['x', 'y', 'z'].map((key) => producer.send(message(key)));
    await tick();
    expect(kafka.requests).toHaveLength(1); // one in flight at a time
    kafka.requests[0].settle();
    await first;
    await tick();
    await tick();
    expect(kafka.requests).toHaveLength(2);
    expect(kafka.messagesIn(1)).toEqual(['x', 'y', 'z']);
    kafka.requests[1].settle();
    await Promise.all(rest);
  });

  it('groups messages by topic, keeping their order within each', async () => {
    const { kafka, producer } = setup();
    const sends = [message('1', 't1'), message('2', 't2'), message('3', 't1')].map((m) =>
      producer.send(m),
    );
    await tick();
    await tick();
    expect(
      kafka.requests[0].batch.topicMessages!.map((t) => [t.topic, t.messages.map((m) => m.key)]),
    ).toEqual([
      ['t1', ['1', '3']],
      ['t2', ['2']],
    ]);
    kafka.requests[0].settle();
    await Promise.all(sends);
  });

  it('splits at maxBatchMessages', async () => {
    const { kafka, producer } = setup({ maxBatchMessages: 2 });
    const sends = ['a', 'b', 'c'].map((key) => producer.send(message(key)));
    await tick();
    await tick();
    expect(kafka.messagesIn(0)).toEqual(['a', 'b']);
    kafka.requests[0].settle();
    await tick();
    await tick();
    expect(kafka.messagesIn(1)).toEqual(['c']);
    kafka.requests[1].settle();
    await Promise.all(sends);
  });

  it('splits at maxBatchBytes but sends an oversized message on its own', async () => {
    const { kafka, producer } = setup({ maxBatchBytes: 10 });
    const big = (key: string, size: number): OutgoingMessage => ({
      ...message(key),
      value: Buffer.alloc(size),
    });
    const sends = [big('a', 4), big('b', 4), big('c', 4), big('d', 50)].map((m) =>
      producer.send(m),
    );
    for (let request = 0; request < 3; request++) {
      await tick();
      await tick();
      kafka.requests[request].settle();
    }
    await Promise.all(sends);
    expect([0, 1, 2].map((r) => kafka.messagesIn(r))).toEqual([['a', 'b'], ['c'], ['d']]);
  });

  it('drops a message whose time ran out while queued: certainly not written', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick'] });
    try {
      const { kafka, producer } = setup({ ackTimeoutMs: 1000 });
      const inFlight = producer.send(message('in-flight'));
      await tick();
      await tick();
      const queued = producer.send(message('queued'));
      const queuedOutcome = queued.catch((error: unknown) => error);
      const inFlightOutcome = inFlight.catch((error: unknown) => error);
      jest.advanceTimersByTime(1001);
      const queuedError = (await queuedOutcome) as ProducerUnavailableError;
      const inFlightError = (await inFlightOutcome) as ProducerUnavailableError;
      expect(queuedError).toBeInstanceOf(ProducerUnavailableError);
      expect(queuedError.maybeWritten).toBe(false);
      expect(inFlightError.maybeWritten).toBe(true);
      kafka.requests[0].settle();
      await tick();
      await tick();
      // the abandoned message is never sent
      expect(kafka.requests).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it('rejects a failed request and replaces the producer before the next one', async () => {
    const { kafka, producer } = setup();
    const failing = producer.send(message('a'));
    await tick();
    await tick();
    kafka.requests[0].settle(new Error('broker went away'));
    await expect(failing).rejects.toMatchObject({
      name: 'ProducerUnavailableError',
      maybeWritten: true,
    });
    expect(producer.healthy.ok).toBe(false);

    const next = producer.send(message('b'));
    await tick();
    await tick();
    await tick();
    expect(kafka.producersCreated).toBe(2);
    expect(kafka.disconnected).toBe(1);
    kafka.requests[1].settle();
    await next;
    expect(producer.healthy.ok).toBe(true);
  });

  it('flushes what is queued on close and refuses sends afterwards', async () => {
    const { kafka, producer } = setup();
    const pending = producer.send(message('last'));
    const closing = producer.close();
    await tick();
    await tick();
    kafka.requests[0].settle();
    await pending;
    await closing;
    await expect(producer.send(message('late'))).rejects.toMatchObject({ maybeWritten: false });
  });

  it('spreads keys over lanes that each have a request in flight, one key always on one lane', async () => {
    const { kafka, producer } = setup({ lanes: 3 });
    const keys = Array.from(
      { length: 30 },
      (_, i) => `shop.myshopify.com/${820982911946154508n + BigInt(i)}`,
    );
    const lanesUsed = new Set(keys.map((key) => laneOf(key, 3)));
    expect(lanesUsed.size).toBe(3);
    expect(keys.every((key) => laneOf(key, 3) === laneOf(key, 3))).toBe(true);

    const sends = keys.map((key) => producer.send(message(key)));
    await tick();
    await tick();
    await tick();
    // three connections, three requests in flight at once
    expect(kafka.requests).toHaveLength(3);
    for (const request of kafka.requests) {
      const lanes = new Set(
        request.batch.topicMessages![0].messages.map((m) => laneOf(String(m.key), 3)),
      );
      expect(lanes.size).toBe(1);
      request.settle();
    }
    await Promise.all(sends);
  });
});
