import { randomUUID } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import {
  CacheAside,
  CacheMetrics,
  CacheStore,
  createCacheRedis,
  type CacheAsideOptions,
  type CacheOrigin,
} from '../src';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** An origin backed by a map, counting its calls; `gate` (when set) holds each call until opened. */
export class FakeOrigin implements CacheOrigin {
  readonly calls: string[][] = [];
  readonly data = new Map<string, string>();
  latencyMs = 0;
  gate: Promise<void> | null = null;
  failWith: Error | null = null;

  async load(_shop: string, ids: string[]): Promise<Map<string, string | null>> {
    this.calls.push([...ids]);
    // Read the data before waiting: a slow origin answers with what it saw when asked.
    const answer = new Map(ids.map((id) => [id, this.data.get(id) ?? null]));
    if (this.gate) await this.gate;
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    if (this.failWith) throw this.failWith;
    return answer;
  }
}

/** A unique key prefix and shop per test file; removes its keys at the end. */
export class CacheHarness {
  readonly prefix = `shopwire-test:${randomUUID().slice(0, 8)}:cache`;
  readonly shop = `cache-${randomUUID().slice(0, 8)}.myshopify.com`;
  readonly registry = new Registry();
  readonly metrics = CacheMetrics.for(this.registry);
  private readonly clients: Redis[] = [];
  private readonly stores: CacheStore[] = [];

  /** A store on its own client, connected (the client fails fast until it is). */
  async ready(url = REDIS_URL, commandTimeoutMs = 250): Promise<CacheStore> {
    const store = this.store(url, commandTimeoutMs);
    const deadline = Date.now() + 10_000;
    while (store.redis.status !== 'ready') {
      if (Date.now() > deadline) throw new Error(`redis at ${url} not ready`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return store;
  }

  store(url = REDIS_URL, commandTimeoutMs = 250): CacheStore {
    const redis = createCacheRedis({ url, commandTimeoutMs, connectTimeoutMs: 300 });
    this.clients.push(redis);
    const store = new CacheStore({ redis, metrics: this.metrics, registry: this.registry });
    this.stores.push(store);
    return store;
  }

  cache(
    origin: CacheOrigin,
    store: CacheStore | null,
    options: Partial<CacheAsideOptions> = {},
  ): CacheAside {
    return new CacheAside({
      namespace: 'products',
      origin,
      store,
      metrics: this.metrics,
      prefix: this.prefix,
      ...options,
    });
  }

  key(id: string, namespace = 'products'): string {
    return `${this.prefix}:${namespace}:${this.shop}:${id}`;
  }

  private plain: Redis | null = null;

  /** A plain client on the real Redis, for assertions and clean-up (made on first use). */
  get redis(): Redis {
    this.plain ??= new Redis(REDIS_URL);
    return this.plain;
  }

  async close(): Promise<void> {
    const redis = this.redis;
    {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await redis.scan(cursor, 'MATCH', `${this.prefix}:*`, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      if (keys.length > 0) await redis.del(...keys);
    }
    this.stores.forEach((s) => s.shutdown());
    // quit() closes a live connection at once; disconnect() would leave a 2 s socket timer.
    await Promise.all(
      this.clients.map((c) =>
        c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect(),
      ),
    );
    await redis.quit();
  }

  async counter(name: string): Promise<number> {
    const metric = await this.registry.getSingleMetric(name)?.get();
    return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
  }
}

/**
 * A TCP proxy in front of the real Redis that can stop forwarding: a hung Redis (what `CLIENT
 * PAUSE` does) for this test's clients only, without pausing the Redis other people are using.
 */
export class PausableRedisProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private paused = false;
  private readonly held: (() => void)[] = [];
  url = '';

  async start(target = REDIS_URL): Promise<void> {
    const { hostname, port } = new URL(target);
    this.server = createServer((client) => {
      const upstream = connect(Number(port || 6379), hostname);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      const forward = (from: Socket, to: Socket) =>
        from.on('data', (chunk) => {
          if (this.paused) this.held.push(() => to.write(chunk));
          else to.write(chunk);
        });
      forward(client, upstream);
      forward(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `redis://127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.held.splice(0).forEach((write) => write());
  }

  async close(): Promise<void> {
    this.sockets.forEach((s) => s.destroy());
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

/** A port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `redis://127.0.0.1:${port}`;
}

export function product(id: string, title: string): string {
  // Raw JSON text, as an origin would hand it over: the id is a number above 2^53.
  return `{"id":${id},"title":"${title}","variants":[{"id":${id}1}]}`;
}
