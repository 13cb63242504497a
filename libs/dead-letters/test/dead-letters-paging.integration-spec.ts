import { encodeFailureHeaders, FailureHeader, provisionTopics } from '@shopwire/kafka';
import { testKafka } from '@shopwire/testing';
import type { Admin } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { REPLAYED_AT_HEADER } from '../src/dead-letter';
import { DeadLetterCursorError, DeadLetterStore } from '../src/dead-letter-store';

// Paging through a DLQ holding many more letters than a page, against the real broker: a DLQ
// topic of this file's own (two partitions) filled with dead letters of two groups, replay markers
// and a stray message; pages of 4 cover every letter exactly once, in order, with the right replay
// status, and a group filter pages through its own letters only.
const id = randomUUID().slice(0, 8);
const dlq = `dlqpage.${id}.events.v1.dlq`;
const kafka = testKafka(`dlq-page-${id}`);
const TOTAL = 30;

let admin: Admin;
/** Dead-letter ids in DLQ order, with their group. */
const letters: { id: string; group: string; value: string }[] = [];
const replayed = new Set<string>();

function letterHeaders(group: string, n: number): Record<string, string> {
  return {
    'shopify-shop-domain': `shop-${n % 3}.myshopify.com`,
    ...encodeFailureHeaders({
      sourceTopic: `dlqpage.${id}.events.v1`,
      sourcePartition: 0,
      sourceOffset: String(n),
      attempts: 5,
      firstFailureAt: '2026-12-01T00:00:00.000Z',
      lastFailureAt: '2026-12-01T00:01:00.000Z',
      errorType: 'PoisonMessageError',
      errorMessage: 'cannot apply',
      group,
      consumerGroup: `${group}-consumers`,
      deadLetteredAt: new Date(Date.UTC(2026, 11, 1, 0, 0, n)).toISOString(),
    }),
  };
}

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  await provisionTopics(admin, [{ topic: dlq, partitions: 2, replicationFactor: 1 }]);
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let n = 0; n < TOTAL; n++) {
      const group = n % 3 === 0 ? 'other' : 'order';
      const value = `{"n":${n},"run":"${id}"}`;
      const [sent] = await producer.send({
        topic: dlq,
        acks: -1,
        messages: [{ partition: n % 2, key: `k${n}`, value, headers: letterHeaders(group, n) }],
      });
      letters.push({ id: `${dlq}:${sent!.partition}:${sent!.baseOffset}`, group, value });
    }
    // Something that is not a dead letter at all, and replay markers for three letters (each on
    // the other partition than its letter, as a keyed marker may well be).
    await producer.send({ topic: dlq, acks: -1, messages: [{ partition: 0, value: 'stray' }] });
    for (const n of [1, 4, 28]) {
      const letter = letters[n]!;
      replayed.add(letter.id);
      await producer.send({
        topic: dlq,
        acks: -1,
        messages: [
          {
            partition: (n + 1) % 2,
            key: letter.id,
            value: Buffer.alloc(0),
            headers: {
              [FailureHeader.ReplayOf]: letter.id,
              [FailureHeader.Group]: letter.group,
              [REPLAYED_AT_HEADER]: '2026-12-02T00:00:00.000Z',
            },
          },
        ],
      });
    }
  } finally {
    await producer.disconnect();
  }
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [dlq] }).catch(() => undefined);
  await admin.disconnect();
});

/** DLQ order: partition, then offset. */
function inDlqOrder(ids: string[]): string[] {
  const key = (s: string) => {
    const [, partition, offset] = /:(\d+):(\d+)$/.exec(s)!;
    return Number(partition) * 1e9 + Number(offset);
  };
  return [...ids].sort((a, b) => key(a) - key(b));
}

describe('dead letters, a page at a time (real broker)', () => {
  it('pages of 4 cover a 30-letter DLQ exactly once, in order, each page bounded', async () => {
    const registry = new Registry();
    const store = new DeadLetterStore({ kafka, deadLetterTopics: [dlq], registry });
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const page = await store.listPage({}, { limit: 4, cursor });
      expect(page.letters.length).toBeLessThanOrEqual(4);
      pages.push(page.letters.length);
      seen.push(...page.letters.map((l) => l.id));
      for (const letter of page.letters) {
        expect(letter.replayedAt).toBe(replayed.has(letter.id) ? '2026-12-02T00:00:00.000Z' : null);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(inDlqOrder(letters.map((l) => l.id)));
    expect(pages.length).toBeGreaterThanOrEqual(Math.ceil(TOTAL / 4));
    expect(pages.slice(0, 7).every((n) => n === 4)).toBe(true);

    // the depth gauge comes from the index: pending letters per group, replayed ones excluded
    const depth = await registry.getSingleMetric('shopwire_dead_letters_pending')!.get();
    const byGroup = Object.fromEntries(depth.values.map((v) => [v.labels.group, v.value]));
    const expected = (group: string) =>
      letters.filter((l) => l.group === group && !replayed.has(l.id)).length;
    expect(byGroup).toEqual({ order: expected('order'), other: expected('other') });
    await store.close();
  });

  it('a filter pages through its own letters only; the status filter uses the replay markers', async () => {
    const store = new DeadLetterStore({ kafka, deadLetterTopics: [dlq] });
    const collect = async (filter: Parameters<DeadLetterStore['listPage']>[0]) => {
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listPage(filter, { limit: 3, cursor });
        ids.push(...page.letters.map((l) => l.id));
        cursor = page.nextCursor;
      } while (cursor);
      // Each exactly once. (A filtered page may take letters from several partitions' windows,
      // each in offset order, so pages are not one global order.)
      expect(new Set(ids).size).toBe(ids.length);
      return inDlqOrder(ids);
    };
    const order = letters.filter((l) => l.group === 'order');
    expect(await collect({ group: 'order' })).toEqual(inDlqOrder(order.map((l) => l.id)));
    expect(await collect({ group: 'order', status: 'pending' })).toEqual(
      inDlqOrder(order.filter((l) => !replayed.has(l.id)).map((l) => l.id)),
    );
    expect(await collect({ status: 'replayed' })).toEqual(inDlqOrder([...replayed]));
    // list() is the same, page after page
    expect(inDlqOrder((await store.list({ group: 'other' })).map((l) => l.id))).toEqual(
      inDlqOrder(letters.filter((l) => l.group === 'other').map((l) => l.id)),
    );
    await store.close();
  });

  it('reads one letter by id with its payload, and refuses a cursor it did not hand out', async () => {
    const store = new DeadLetterStore({ kafka, deadLetterTopics: [dlq] });
    const target = letters[17]!;
    const letter = await store.get(target.id, { payload: true });
    expect(letter).toMatchObject({
      id: target.id,
      group: target.group,
      payload: { encoding: 'utf8', data: target.value },
    });
    expect(await store.get(`${dlq}:0:999999`)).toBeNull();
    await expect(store.listPage({}, { cursor: 'bm90LWEtY3Vyc29y' })).rejects.toBeInstanceOf(
      DeadLetterCursorError,
    );
    await store.close();
  });
});
