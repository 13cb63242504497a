import { isBreakerOpenError } from '@shopwire/resilience';
import { testKafka, waitFor } from '@shopwire/testing';
import type { Kafka, Producer } from 'kafkajs';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  InstallationChangesConsumer,
  ShopCredentials,
  ShopCredentialsError,
  ShopNotInstalledError,
  ShopReauthRequiredError,
  type ShopCredentialsOptions,
} from '../src';

// A real HTTP server on loopback stands in for the shops service's token API (its contract is
// docs/adr/0006): the client's HTTP, timeouts, retries and breaker run for real against it.
const API_TOKEN = 'shops-api-token-for-tests-0123456789';

interface Seen {
  method: string;
  path: string;
  authorization: string | undefined;
  body: string;
}

type Handler = (seen: Seen, res: ServerResponse) => void;

let server: Server;
let baseUrl: string;
let handler: Handler;
const seen: Seen[] = [];
const logLines: string[] = [];
const logger = pino(
  { level: 'debug' },
  new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  }),
);
const clients: ShopCredentials[] = [];

function shop(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}.myshopify.com`;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function tokenBody(
  shopDomain: string,
  accessToken: string,
  expiresInMs: number | null = 3_600_000,
) {
  return {
    shop: shopDomain,
    accessToken,
    expiresAt: expiresInMs === null ? null : new Date(Date.now() + expiresInMs).toISOString(),
    scopes: ['read_products'],
    version: 1,
  };
}

function credentials(overrides: Partial<ShopCredentialsOptions> = {}): ShopCredentials {
  const created = new ShopCredentials({
    url: baseUrl,
    apiToken: API_TOKEN,
    timeoutMs: 300,
    retry: { attempts: 3, baseMs: 20, capMs: 50 },
    registry: new Registry(),
    logger,
    ...overrides,
  });
  clients.push(created);
  return created;
}

const requestsFor = (shopDomain: string) => seen.filter((s) => s.path.includes(shopDomain));

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry: Seen = {
        method: req.method ?? '',
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(entry);
      if (entry.authorization !== `Bearer ${API_TOKEN}`)
        return json(res, 401, { code: 'unauthorized' });
      handler(entry, res);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const c of clients) c.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('ShopCredentials against a token API over HTTP', () => {
  it('fetches with the bearer token, caches, and serves a burst with one request', async () => {
    const s = shop('cached');
    handler = (_seen, res) => json(res, 200, tokenBody(s, 'shpat_cached_1'));
    const client = credentials();
    const tokens = await Promise.all(Array.from({ length: 50 }, () => client.accessToken(s)));
    expect(new Set(tokens)).toEqual(new Set(['shpat_cached_1']));
    for (let i = 0; i < 50; i++) await client.accessToken(s);
    expect(requestsFor(s)).toEqual([
      {
        method: 'GET',
        path: `/internal/shops/${s}/access-token`,
        authorization: `Bearer ${API_TOKEN}`,
        body: '',
      },
    ]);
    const token = await client.token(s);
    expect(token.expiresAt).toBeInstanceOf(Date);
    expect(token.scopes).toEqual(['read_products']);
  });

  it('fails fast for an uninstalled shop: a stream of 500 lookups costs one request', async () => {
    const s = shop('gone');
    handler = (_seen, res) => json(res, 404, { code: 'not_installed' });
    const client = credentials({ negativeTtlMs: 60_000 });
    const started = performance.now();
    for (let i = 0; i < 500; i++)
      await expect(client.accessToken(s)).rejects.toBeInstanceOf(ShopNotInstalledError);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(requestsFor(s)).toHaveLength(1);
  });

  it('answers 409 as re-authorisation required', async () => {
    const s = shop('reauth');
    handler = (_seen, res) => json(res, 409, { code: 'reauth_required' });
    await expect(credentials().accessToken(s)).rejects.toBeInstanceOf(ShopReauthRequiredError);
  });

  it('reports a rejected token by its sha256 and uses the new one', async () => {
    const s = shop('refresh');
    handler = (entry, res) =>
      json(res, 200, tokenBody(s, entry.method === 'POST' ? 'shpat_new' : 'shpat_old'));
    const client = credentials();
    expect(await client.accessToken(s)).toBe('shpat_old');
    const replaced = await Promise.all(
      Array.from({ length: 5 }, () => client.onUnauthorized(s, 'shpat_old')),
    );
    expect(new Set(replaced)).toEqual(new Set(['shpat_new']));
    expect(await client.accessToken(s)).toBe('shpat_new');
    const posts = requestsFor(s).filter((r) => r.method === 'POST');
    expect(posts).toHaveLength(1);
    expect(posts[0].path).toBe(`/internal/shops/${s}/access-token/refresh`);
    expect(JSON.parse(posts[0].body)).toEqual({
      rejectedTokenSha256: createHash('sha256').update('shpat_old').digest('hex'),
    });
  });

  it('retries a 5xx with backoff and succeeds', async () => {
    const s = shop('flaky');
    let calls = 0;
    handler = (_seen, res) =>
      ++calls < 3 ? json(res, 503, { code: 'busy' }) : json(res, 200, tokenBody(s, 'shpat_f'));
    expect(await credentials().accessToken(s)).toBe('shpat_f');
    expect(requestsFor(s)).toHaveLength(3);
  });

  it('gives up on a hung service within its timeouts, as a transient error', async () => {
    const s = shop('hung');
    handler = () => undefined; // never answers
    const started = performance.now();
    const error = await credentials({ retry: { attempts: 2, baseMs: 10, capMs: 10 } })
      .accessToken(s)
      .catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(error).toBeInstanceOf(ShopCredentialsError);
    expect(error).toMatchObject({ code: 'unavailable', transient: true });
    expect(requestsFor(s)).toHaveLength(2);
  });

  it('opens its breaker in an outage and stops sending', async () => {
    const s = shop('outage');
    handler = (_seen, res) => json(res, 500, { code: 'down' });
    const client = credentials({
      retry: { attempts: 1 },
      breaker: { volumeThreshold: 3, resetTimeoutMs: 60_000 },
    });
    for (let i = 0; i < 10; i++) await client.accessToken(s).catch(() => undefined);
    expect(requestsFor(s).length).toBeLessThanOrEqual(4);
    const error = (await client.accessToken(s).catch((e: unknown) => e)) as ShopCredentialsError;
    expect(error).toMatchObject({ code: 'unavailable' });
    expect(isBreakerOpenError(error.cause)).toBe(true);
    expect(client.health()).toMatchObject({ state: 'open' });
  });

  it('does not retry when the shops service refuses this caller', async () => {
    const s = shop('refused');
    handler = (_seen, res) => json(res, 200, tokenBody(s, 'x'));
    const error = await credentials({ apiToken: 'wrong-token-wrong-token' })
      .accessToken(s)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'refused', status: 401, transient: false });
    expect((error as Error).message).not.toContain('wrong-token');
    expect(requestsFor(s)).toHaveLength(1);
  });

  it('never logs a token or the API token', () => {
    const all = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0); // the retries above were logged
    for (const secret of ['shpat_', API_TOKEN, 'wrong-token']) expect(all).not.toContain(secret);
  });
});

describe('InstallationChangesConsumer (real Kafka)', () => {
  let kafka: Kafka;
  let producer: Producer;
  const topic = `test.shops.installation.changed.${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    kafka = testKafka('shop-credentials-test');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    await admin.disconnect();
    producer = kafka.producer();
    await producer.connect();
  });

  afterAll(async () => {
    await producer.disconnect();
  });

  it('drops a shop’s cached answer when its installation changes', async () => {
    const s = shop('reinstalled');
    let installed = false;
    handler = (_seen, res) =>
      installed
        ? json(res, 200, tokenBody(s, 'shpat_fresh'))
        : json(res, 404, { code: 'not_installed' });
    const client = credentials({ negativeTtlMs: 10 * 60_000 });
    const changes: string[] = [];
    const consumer = new InstallationChangesConsumer({
      kafka,
      credentials: client,
      logger,
      topic,
      onChange: (changed, type) => changes.push(`${changed} ${type}`),
    });
    await consumer.start();
    try {
      await waitFor(() => consumer.status.joined, { timeoutMs: 30_000 });
      await expect(client.accessToken(s)).rejects.toBeInstanceOf(ShopNotInstalledError);

      installed = true;
      await producer.send({
        topic,
        messages: [
          {
            key: s,
            value: JSON.stringify({
              eventId: randomUUID(),
              type: 'installation.installed',
              schemaVersion: 1,
              occurredAt: new Date().toISOString(),
              shopDomain: s,
              aggregateId: s,
              aggregateVersion: '0000000002:0000000001',
              causationId: null,
              data: {
                status: 'installed',
                scopes: ['read_products'],
                grantType: 'authorization_code',
                generation: 2,
              },
            }),
          },
        ],
      });
      await waitFor(() => changes.length > 0, { timeoutMs: 30_000 });
      expect(changes).toEqual([`${s} installation.installed`]);
      expect(await client.accessToken(s)).toBe('shpat_fresh');
      expect(requestsFor(s)).toHaveLength(2);
    } finally {
      await consumer.stop();
    }
  });
});
