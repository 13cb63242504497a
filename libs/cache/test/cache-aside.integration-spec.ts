import { waitFor } from '@shopwire/testing';
import { performance } from 'node:perf_hooks';
import { CacheAside, CacheErrorCode, ForbiddenNamespaceError, type CacheNamespace } from '../src';
import { CacheHarness, closedPort, FakeOrigin, PausableRedisProxy, product } from './cache-harness';

const BIG = '820982911946154508'; // above 2^53

describe('CacheAside against the real Redis', () => {
  const h = new CacheHarness();
  afterAll(() => h.close());

  it('miss → one origin call → hit, the JSON text kept byte for byte', async () => {
    const origin = new FakeOrigin();
    origin.data.set(BIG, product(BIG, 'Mug'));
    const cache = h.cache(origin, await h.ready());

    const first = await cache.get(h.shop, BIG);
    expect(first).toEqual({ value: product(BIG, 'Mug'), source: 'origin' });
    const second = await cache.get(h.shop, BIG);
    expect(second).toEqual({ value: product(BIG, 'Mug'), source: 'cache' });
    expect(origin.calls).toEqual([[BIG]]);
    expect(await h.redis.get(h.key(BIG))).toBe(product(BIG, 'Mug'));
    expect(await h.counter('shopwire_cache_hits_total')).toBeGreaterThanOrEqual(1);
    const ratio = await h.registry.getSingleMetric('shopwire_cache_hit_ratio')!.get();
    expect(ratio.values).toEqual([
      expect.objectContaining({ labels: { namespace: 'products' }, value: 0.5 }),
    ]);
  });

  it('100 concurrent misses on one key make one origin call', async () => {
    const origin = new FakeOrigin();
    origin.data.set('1001', product('1001', 'Storm'));
    let open!: () => void;
    origin.gate = new Promise<void>((resolve) => (open = resolve));
    const cache = h.cache(origin, await h.ready());

    const reads = Array.from({ length: 100 }, () => cache.get(h.shop, '1001'));
    await waitFor(() => origin.calls.length > 0, { what: 'the origin call' });
    // Give the other 99 every chance to (wrongly) call the origin too before it answers.
    await new Promise((r) => setTimeout(r, 100));
    open();
    const answers = await Promise.all(reads);
    expect(origin.calls).toEqual([['1001']]);
    expect(new Set(answers.map((a) => a.value))).toEqual(new Set([product('1001', 'Storm')]));
  });

  it('getMany: one MGET, one origin batch for just the misses, answers in order', async () => {
    const origin = new FakeOrigin();
    for (const id of ['11', '12', '13']) origin.data.set(id, product(id, `p${id}`));
    const cache = h.cache(origin, await h.ready());
    await cache.get(h.shop, '12');
    origin.calls.length = 0;

    const found = await cache.getMany(h.shop, ['13', '12', '11', '14', '12']);
    expect([...found.keys()]).toEqual(['13', '12', '11', '14']);
    expect(found.get('12')).toEqual({ value: product('12', 'p12'), source: 'cache' });
    expect(found.get('14')).toEqual({ value: null, source: 'origin' });
    expect(origin.calls).toEqual([['13', '11', '14']]);
  });

  it('caches "not found" for the short negative TTL', async () => {
    const origin = new FakeOrigin();
    const cache = h.cache(origin, await h.ready(), { policy: { negativeTtlMs: 5000, jitter: 0 } });
    expect((await cache.get(h.shop, '404')).value).toBeNull();
    expect(await cache.get(h.shop, '404')).toEqual({ value: null, source: 'cache' });
    expect(origin.calls).toHaveLength(1);
    const ttl = await h.redis.pttl(h.key('404'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(5000);
  });

  it('an entry expires after its TTL (with jitter, never before)', async () => {
    const origin = new FakeOrigin();
    origin.data.set('21', product('21', 'Short'));
    const cache = h.cache(origin, await h.ready(), { policy: { ttlMs: 300, jitter: 0.5 } });
    await cache.get(h.shop, '21');
    const ttl = await h.redis.pttl(h.key('21'));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(450);
    await waitFor(async () => (await h.redis.exists(h.key('21'))) === 0, { what: 'expiry' });
    expect((await cache.get(h.shop, '21')).source).toBe('origin');
    expect(origin.calls).toHaveLength(2);
  });

  it('a fill that started before a purge does not store its stale answer', async () => {
    const origin = new FakeOrigin();
    origin.data.set('31', product('31', 'Old'));
    let open!: () => void;
    origin.gate = new Promise<void>((resolve) => (open = resolve));
    const cache = h.cache(origin, await h.ready());

    const slow = cache.get(h.shop, '31'); // reads generation 0, then the origin sees "Old"
    await waitFor(() => origin.calls.length === 1);
    origin.data.set('31', product('31', 'New')); // the product changes, the webhook purges
    await cache.purge(h.shop, ['31']);
    // A reader after the purge must not join the pre-purge flight.
    origin.gate = null;
    const after = await cache.get(h.shop, '31');
    expect(after).toEqual({ value: product('31', 'New'), source: 'origin' });
    open();
    expect((await slow).value).toBe(product('31', 'Old')); // its caller asked before the change
    expect(await h.redis.get(h.key('31'))).toBe(product('31', 'New'));
    expect(await cache.get(h.shop, '31')).toEqual({ value: product('31', 'New'), source: 'cache' });
    expect(await h.counter('shopwire_cache_stale_fills_rejected_total')).toBeGreaterThanOrEqual(1);
  });

  it('two replicas missing together call the origin once (Redis fill lock)', async () => {
    const origin = new FakeOrigin();
    origin.data.set('41', product('41', 'Shared'));
    origin.latencyMs = 50;
    const lock = { ttlMs: 2000, waitMs: 1000, pollMs: 5 };
    const a = h.cache(origin, await h.ready(), { lock });
    const b = h.cache(origin, await h.ready(), { lock });
    const answers = await Promise.all([
      ...Array.from({ length: 20 }, () => a.get(h.shop, '41')),
      ...Array.from({ length: 20 }, () => b.get(h.shop, '41')),
    ]);
    expect(origin.calls).toHaveLength(1);
    expect(new Set(answers.map((x) => x.value))).toEqual(new Set([product('41', 'Shared')]));
    expect(await h.redis.exists(h.key('41') + '#lock')).toBe(0);
  });

  it('refuses inventory levels and order status with a typed error', () => {
    for (const namespace of ['inventory-levels', 'order-status', 'inventory', 'orders']) {
      let error: unknown;
      try {
        new CacheAside({
          namespace: namespace as CacheNamespace,
          origin: new FakeOrigin(),
          store: null,
          metrics: h.metrics,
        });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ForbiddenNamespaceError);
      expect((error as ForbiddenNamespaceError).code).toBe(CacheErrorCode.ForbiddenNamespace);
    }
  });
});

describe('CacheAside with Redis down or hung', () => {
  const h = new CacheHarness();
  const proxy = new PausableRedisProxy();
  beforeAll(() => proxy.start());
  afterAll(async () => {
    proxy.resume();
    await h.close();
    await proxy.close();
  });

  async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
    const started = performance.now();
    const result = await work();
    return [result, performance.now() - started];
  }

  it('Redis refusing connections: every read answered by the origin, no added wait', async () => {
    const origin = new FakeOrigin();
    origin.data.set('51', product('51', 'Down'));
    origin.latencyMs = 5;
    const cache = h.cache(origin, h.store(await closedPort()));
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      const [answer, ms] = await timed(() => cache.get(h.shop, '51'));
      expect(answer).toEqual({ value: product('51', 'Down'), source: 'origin' });
      latencies.push(ms);
    }
    latencies.sort((x, y) => x - y);
    // Origin 5 ms; no offline queue, so a dead connection costs nothing. Generous for a busy box.
    expect(latencies[Math.floor(latencies.length * 0.9)]).toBeLessThan(100);
    expect(await h.counter('shopwire_cache_redis_errors_total')).toBeGreaterThan(0);
  });

  it('Redis hung mid-flight: reads wait at most the command timeout, then the breaker skips it', async () => {
    const origin = new FakeOrigin();
    origin.data.set('61', product('61', 'Hung'));
    origin.latencyMs = 5;
    const store = await h.ready(proxy.url, 50);
    const cache = h.cache(origin, store);
    await cache.get(h.shop, '61');
    expect((await cache.get(h.shop, '61')).source).toBe('cache');

    proxy.pause();
    // Every command the store issues goes through the client's sendCommand: counted, not timed,
    // so a loaded machine cannot make the breaker look closed.
    const commands = jest.spyOn(store.redis, 'sendCommand');
    const latencies: number[] = [];
    let commandsWhenOpen: number | undefined;
    for (let i = 0; i < 40; i++) {
      const [answer, ms] = await timed(() => cache.get(h.shop, '61'));
      expect(answer.value).toBe(product('61', 'Hung')); // always right, from the origin
      latencies.push(ms);
      if (commandsWhenOpen === undefined && store.state === 'open')
        commandsWhenOpen = commands.mock.calls.length;
    }
    expect(store.state).toBe('open');
    // Before the breaker opened, each read waited at most the command timeout (50 ms) before
    // going to the origin — never the client's own reconnect waits.
    expect(Math.max(...latencies)).toBeLessThan(1000);
    // Once it opened, no read sent Redis anything: they went straight to the origin.
    expect(commandsWhenOpen).toBeDefined();
    expect(commandsWhenOpen).toBeGreaterThan(0);
    expect(commands.mock.calls.length).toBe(commandsWhenOpen);
    commands.mockRestore();

    proxy.resume();
    // Back after the breaker's reset timeout (2 s): reads are served from Redis again.
    await waitFor(async () => (await cache.get(h.shop, '61')).source === 'cache', {
      timeoutMs: 20_000,
      intervalMs: 200,
      what: 'cache hits after Redis recovered',
    });
  });

  it('a purge while Redis is unavailable fails loudly (so the purge consumer retries it)', async () => {
    const cache = h.cache(new FakeOrigin(), h.store(await closedPort()));
    await expect(cache.purge(h.shop, ['71'])).rejects.toThrow();
  });
});
