import { waitFor } from '@shopwire/testing';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeadLetterStore } from '../src/dead-letter-store';
import { DeadLettersWorld, TOKEN } from './dead-letters-harness';

const run = promisify(execFile);
const OPS = join(__dirname, '../../../dist/scripts/ops.js');

/** `node dist/scripts/ops.js …` as an operator would run it (build first: node scripts/build.mjs). */
async function ops(...args: string[]): Promise<string> {
  const { stdout } = await run('node', [OPS, ...args], {
    env: { ...process.env, KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
    timeout: 60_000,
  });
  return stdout;
}

/**
 * Dead letters end to end against the real broker and Postgres: two poison messages are
 * dead-lettered by a real runner while their partition keeps flowing; they are listed and
 * inspected through the REST API and the ops CLI; after the handler is fixed, replay (REST for
 * one, the CLI's `--all` for the rest) applies each exactly once through the inbox, and replaying
 * again changes nothing.
 */
describe('dead letters: list, inspect, replay (real Kafka + Postgres)', () => {
  const world = new DeadLettersWorld();
  const auth = { authorization: `Bearer ${TOKEN}` };
  let store: DeadLetterStore;
  let ids: Map<string, string>;

  beforeAll(async () => {
    if (!existsSync(OPS)) throw new Error(`${OPS} is missing: run node scripts/build.mjs first`);
    await world.start();
    store = new DeadLetterStore({ kafka: world.kafka, deadLetterTopics: [world.dlq] });
  });

  afterAll(async () => {
    await store?.close();
    await world.stop();
  });

  it('dead-letters the poison messages while the good ones are applied once', async () => {
    ids = await world.produce(['ok-0', 'ok-1', 'poison-a', 'ok-3', 'poison-b', 'ok-5']);
    const pending = await waitFor(
      async () => {
        const letters = await store.list({ group: world.group, status: 'pending' });
        return letters.length >= 2 ? letters : null;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'two dead letters' },
    );
    expect(pending).toHaveLength(2);
    const effects = await world.effects();
    expect(Object.fromEntries(effects)).toEqual({ 'ok-0': 1, 'ok-1': 1, 'ok-3': 1, 'ok-5': 1 });
  });

  it('lists and inspects them over REST, bearer-protected, payload only on request', async () => {
    const unauthorised = await world.app.inject({ method: 'GET', url: '/dead-letters' });
    expect(unauthorised.statusCode).toBe(401);

    const listed = await world.app.inject({
      method: 'GET',
      url: `/dead-letters?shop=${world.shop}&status=pending&error_type=PoisonMessageError`,
      headers: auth,
    });
    expect(listed.statusCode).toBe(200);
    const body = listed.json<{ total: number; dead_letters: Record<string, unknown>[] }>();
    expect(body.total).toBe(2);
    for (const letter of body.dead_letters) {
      expect(letter).toMatchObject({
        group: world.group,
        source_topic: world.source,
        attempts: 2,
        shop: world.shop,
        replayed_at: null,
        error: { type: 'PoisonMessageError', message: 'the handler cannot apply this message yet' },
      });
      expect(letter).not.toHaveProperty('payload');
    }

    const id = await idOf('poison-a');
    const shown = await world.app.inject({
      method: 'GET',
      url: `/dead-letters/${encodeURIComponent(id)}`,
      headers: auth,
    });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({
      id,
      size: 'poison-a'.length,
      headers: { 'shopify-webhook-id': ids.get('poison-a'), 'shopify-shop-domain': world.shop },
    });
    expect(shown.json()).not.toHaveProperty('payload');
    const withPayload = await world.app.inject({
      method: 'GET',
      url: `/dead-letters/${encodeURIComponent(id)}?payload=true`,
      headers: auth,
    });
    expect(withPayload.json()).toMatchObject({ payload: { encoding: 'utf8', data: 'poison-a' } });

    const missing = await world.app.inject({
      method: 'GET',
      url: `/dead-letters/${encodeURIComponent(`${world.dlq}:0:999999`)}`,
      headers: auth,
    });
    expect(missing.statusCode).toBe(404);
    const malformed = await world.app.inject({
      method: 'GET',
      url: '/dead-letters/not-an-id',
      headers: auth,
    });
    expect(malformed.statusCode).toBe(400);
  });

  it('shows a shop-limited credential only its shop, and payloads and replays only with ops:dead-letters', async () => {
    const id = await idOf('poison-a');
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const get = (url: string, token: string) =>
      world.app.inject({ method: 'GET', url, headers: as(token) });
    const other = world.credentials.otherShop;
    const reader = world.credentials.token('shop-reader');

    expect((await get(`/dead-letters/${encodeURIComponent(id)}`, other)).statusCode).toBe(403);
    expect((await get('/dead-letters', other)).statusCode).toBe(403);
    const ownShop = await get(`/dead-letters?shop=${world.otherShop}`, other);
    expect(ownShop.statusCode).toBe(200);
    expect(ownShop.json()).toMatchObject({ total: 0 });
    expect((await get(`/dead-letters?shop=${world.shop}`, other)).statusCode).toBe(403);

    expect((await get(`/dead-letters/${encodeURIComponent(id)}`, reader)).statusCode).toBe(200);
    const payload = await get(`/dead-letters/${encodeURIComponent(id)}?payload=true`, reader);
    expect(payload.statusCode).toBe(403);
    expect(payload.body).not.toContain('poison-a');

    const replay = (token: string, body: unknown) =>
      world.app.inject({
        method: 'POST',
        url: '/dead-letters/replay',
        headers: { ...as(token), 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
    expect((await replay(reader, { ids: [id], shop: world.shop })).statusCode).toBe(403);
    expect((await replay(other, { ids: [id] })).statusCode).toBe(403);
    // Naming its own shop, another shop's letter is not found: nothing is replayed.
    const foreign = await replay(other, { ids: [id], shop: world.otherShop });
    expect(foreign.statusCode).toBe(200);
    expect(foreign.json()).toEqual({ replayed: [], skipped: [{ id, reason: 'not found' }] });
    const stillPending = await store.list({ group: world.group, status: 'pending' });
    expect(stillPending.map((letter) => letter.id)).toContain(id);
  });

  it('lists them with the ops CLI', async () => {
    const listed = JSON.parse(await ops('dlq', 'list', '--group', world.group, '--json')) as {
      id: string;
      replayedAt: string | null;
    }[];
    expect(listed.map((l) => l.id).sort()).toEqual(
      [await idOf('poison-a'), await idOf('poison-b')].sort(),
    );
    const table = await ops('dlq', 'list', '--group', world.group);
    expect(table).toContain(await idOf('poison-b'));
    expect(table).toContain('2 dead letters');

    const shown = JSON.parse(await ops('dlq', 'show', await idOf('poison-b'), '--payload')) as {
      payload: { data: string };
      headers: Record<string, string>;
    };
    expect(shown.payload.data).toBe('poison-b');
    expect(shown.headers['shopify-webhook-id']).toBe(ids.get('poison-b'));
    await expect(ops('dlq', 'show', `${world.dlq}:0:999999`)).rejects.toMatchObject({ code: 1 });
    await expect(ops('dlq', 'frobnicate')).rejects.toMatchObject({ code: 2 });
  });

  it('after the fix, replays one over REST and the rest with the CLI, each applied exactly once', async () => {
    world.fixed = true;
    const idA = await idOf('poison-a');
    const replayed = await world.app.inject({
      method: 'POST',
      url: '/dead-letters/replay',
      headers: auth,
      payload: { ids: [idA] },
    });
    expect(replayed.statusCode).toBe(200);
    expect(replayed.json()).toEqual({ replayed: [idA], skipped: [] });
    await waitFor(async () => (await world.effects()).get('poison-a') === 1, {
      timeoutMs: 30_000,
      what: 'poison-a applied after replay',
    });

    // "--all" replays only what was not replayed yet.
    const out = await ops('dlq', 'replay', '--all', '--group', world.group);
    expect(out).toContain(`replayed ${await idOf('poison-b')}`);
    expect(out).toContain(`skipped  ${idA} (already replayed)`);
    await waitFor(async () => (await world.effects()).get('poison-b') === 1, {
      timeoutMs: 30_000,
      what: 'poison-b applied after the CLI replay',
    });

    const again = await world.app.inject({
      method: 'POST',
      url: '/dead-letters/replay',
      headers: auth,
      payload: { all: true },
    });
    expect(again.json<{ replayed: string[] }>().replayed).toEqual([]);

    // Forcing a replay goes through the handler again; the inbox keeps it to one effect.
    const forced = await world.app.inject({
      method: 'POST',
      url: '/dead-letters/replay',
      headers: auth,
      payload: { ids: [idA], force: true },
    });
    expect(forced.json()).toEqual({ replayed: [idA], skipped: [] });
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(Object.fromEntries(await world.effects())).toEqual({
      'ok-0': 1,
      'ok-1': 1,
      'poison-a': 1,
      'ok-3': 1,
      'poison-b': 1,
      'ok-5': 1,
    });

    const metrics = await world.registry.getMetricsAsJSON();
    const value = (name: string) =>
      metrics.find((m) => m.name === name)?.values.find((v) => v.labels.group === world.group)
        ?.value;
    expect(value('shopwire_dead_letters_replayed_total')).toBe(2); // REST: poison-a twice
    expect(value('shopwire_dead_letters_pending')).toBe(0);
    expect(value('shopwire_consumer_dead_lettered_total')).toBe(2);
  });

  it('refuses malformed replay requests', async () => {
    for (const payload of [
      {},
      { ids: [] },
      { ids: ['x'] },
      { all: true, ids: ['a:1:2'] },
      { all: false },
    ]) {
      const response = await world.app.inject({
        method: 'POST',
        url: '/dead-letters/replay',
        headers: auth,
        payload,
      });
      expect(response.statusCode).toBe(400);
    }
  });

  async function idOf(value: string): Promise<string> {
    const letters = await store.list({ group: world.group });
    const webhookId = ids.get(value);
    const letter = letters.find(
      (l) => l.headers['shopify-webhook-id'] === webhookId && !l.replayedFrom,
    );
    if (!letter) throw new Error(`no dead letter for ${value}`);
    return letter.id;
  }
});
