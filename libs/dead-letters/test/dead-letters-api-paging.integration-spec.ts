import { waitFor } from '@shopwire/testing';
import { DeadLetterStore } from '../src/dead-letter-store';
import { DeadLettersWorld, TOKEN } from './dead-letters-harness';

/**
 * `GET /dead-letters` a page at a time over REST, against the real broker: five poison messages
 * dead-lettered by a real runner, listed with `limit=2` by following `next_cursor` — every letter
 * once, no page above the limit — and a cursor the API did not hand out refused with 400.
 */
describe('dead letters over REST, paged (real Kafka + Postgres)', () => {
  const world = new DeadLettersWorld();
  const auth = { authorization: `Bearer ${TOKEN}` };
  let store: DeadLetterStore;

  beforeAll(async () => {
    await world.start();
    store = new DeadLetterStore({ kafka: world.kafka, deadLetterTopics: [world.dlq] });
  });

  afterAll(async () => {
    await store?.close();
    await world.stop();
  });

  it('follows next_cursor through every dead letter, each page within the limit', async () => {
    await world.produce([
      'poison-1',
      'ok-1',
      'poison-2',
      'poison-3',
      'ok-2',
      'poison-4',
      'poison-5',
    ]);
    const all = await waitFor(
      async () => {
        const letters = await store.list({ group: world.group });
        return letters.length >= 5 ? letters : null;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'five dead letters' },
    );

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const response = await world.app.inject({
        method: 'GET',
        url: `/dead-letters?limit=2${query}`,
        headers: auth,
      });
      expect(response.statusCode).toBe(200);
      const body = response.json<{
        dead_letters: { id: string }[];
        next_cursor: string | null;
        total: number;
      }>();
      expect(body.dead_letters.length).toBeLessThanOrEqual(2);
      expect(body.total).toBe(body.dead_letters.length);
      seen.push(...body.dead_letters.map((l) => l.id));
      cursor = body.next_cursor;
      pages += 1;
    } while (cursor && pages < 50);
    expect(cursor).toBeNull();
    expect(pages).toBeGreaterThanOrEqual(3);
    expect([...seen].sort()).toEqual(all.map((l) => l.id).sort());
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('refuses a cursor it did not hand out', async () => {
    for (const cursor of ['bm90LWEtY3Vyc29y', 'not+base64', 'eyJ4Ijo1fQ']) {
      const response = await world.app.inject({
        method: 'GET',
        url: `/dead-letters?cursor=${encodeURIComponent(cursor)}`,
        headers: auth,
      });
      expect(response.statusCode).toBe(400);
    }
  });
});
