import { DomainTopic } from '@shopwire/contracts';
import { provisionTopics } from '@shopwire/kafka';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import Redis from 'ioredis';
import type { Kafka, Producer } from 'kafkajs';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SyncAdminClient } from '../src/admin-api/sync-admin-client';
import {
  startApp,
  startGroupAtEnd,
  testKafka,
  TOKEN,
  uniqueShop,
  waitFor,
  type RunningApp,
} from './sync-harness';

// Sync with SHOPS_URL: Admin API tokens come from the shops service's token API — here a real
// HTTP server on loopback speaking its contract (docs/adr/0006), handing out tokens the real
// simulator process issued by its client-credentials grant — through libs/shop-credentials.
const VERSION = '2026-01';
const SHOPS_API_TOKEN = 'sync-shops-api-token-0123456789';
const CLIENT = {
  client_id: 'shopwire-dev-client',
  client_secret: 'shopwire-dev-client-secret-0123456789abcdef',
};
const groupId = `sync-shop-credentials-it-${randomUUID()}`;
const prefix = `shopwire-test:${randomUUID().slice(0, 8)}:cache`;
const installed = uniqueShop();
const uninstalled = uniqueShop();

let sim: SimulatorProcess;
let shops: Server;
let kafka: Kafka;
let producer: Producer;
let app: RunningApp;
let redis: Redis;

/** What the stand-in shops service holds: the current token per installed shop. */
const current = new Map<string, string>();
const asked: { method: string; shop: string; body: string }[] = [];

async function grant(shop: string): Promise<string> {
  const response = await fetch(`${sim.baseUrl}/shops/${shop}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...CLIENT, grant_type: 'client_credentials' }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

function answer(res: ServerResponse, shop: string): void {
  const token = current.get(shop);
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-type', 'application/json');
  if (!token) {
    res.statusCode = 404;
    res.end(JSON.stringify({ code: 'not_installed' }));
    return;
  }
  res.end(
    JSON.stringify({
      shop,
      accessToken: token,
      // as the shops service believes; Shopify may still refuse it earlier (revoked, expired)
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      scopes: ['read_products'],
      version: 1,
    }),
  );
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const askedFor = (shop: string, method?: string) =>
  asked.filter((a) => a.shop === shop && (!method || a.method === method));
const adminRequests = async (shop: string) =>
  (await sim.call<{ graphql: { requests: number } }>('GET', `/sim/admin/shops/${shop}/stats`)).json
    .graphql.requests;
const clearCache = async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
};

async function invalidations(): Promise<number> {
  const metric = await app.registry
    .getSingleMetric('shopwire_shop_credentials_invalidations_total')
    ?.get();
  return metric?.values.find((v) => v.labels.cause === 'installation_changed')?.value ?? 0;
}

/** Announces a change as the shops service does (never with a token) and waits until sync saw it. */
async function installationChanged(shop: string, type: string): Promise<void> {
  const seen = await invalidations();
  await producer.send({
    topic: DomainTopic.ShopInstallationChanged,
    messages: [
      {
        key: shop,
        value: JSON.stringify({
          eventId: randomUUID(),
          type,
          schemaVersion: 1,
          occurredAt: new Date().toISOString(),
          shopDomain: shop,
          aggregateId: shop,
          aggregateVersion: '0000000001:0000000002',
          causationId: null,
          data: {
            status: 'installed',
            scopes: ['read_products'],
            grantType: 'client_credentials',
            generation: 1,
          },
        }),
      },
    ],
  });
  await waitFor(async () => (await invalidations()) > seen, `${type} for ${shop} consumed`, 30_000);
}

const unauthorized = async () =>
  (await sim.call<{ unauthorized: number }>('GET', '/sim/oauth/stats')).json.unauthorized;

async function storeConfig(shop: string) {
  const response = await app.app.inject({
    method: 'GET',
    url: `/catalog/store-config?shop=${shop}`,
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  return { status: response.statusCode, body: response.body };
}

beforeAll(async () => {
  sim = await startSimulatorProcess();
  for (const shop of [installed, uninstalled])
    expect(
      (await sim.call('PUT', `/sim/admin/shops/${shop}`, { products: 2 })).status,
    ).toBeLessThan(300);
  current.set(installed, await grant(installed));

  shops = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = /^\/internal\/shops\/([^/]+)\/access-token(\/refresh)?$/.exec(req.url ?? '');
      if (req.headers.authorization !== `Bearer ${SHOPS_API_TOKEN}` || !match) {
        res.statusCode = req.headers.authorization === `Bearer ${SHOPS_API_TOKEN}` ? 404 : 401;
        res.end('{}');
        return;
      }
      const shop = decodeURIComponent(match[1]);
      const body = Buffer.concat(chunks).toString('utf8');
      asked.push({ method: req.method ?? '', shop, body });
      if (!match[2] || !current.has(shop)) return answer(res, shop);
      // refresh: a new token only if the rejected one is still the stored one (as the ADR says)
      const { rejectedTokenSha256 } = JSON.parse(body) as { rejectedTokenSha256: string };
      if (rejectedTokenSha256 !== sha256(current.get(shop)!)) return answer(res, shop);
      void grant(shop).then((token) => {
        current.set(shop, token);
        answer(res, shop);
      });
    });
  });
  shops.listen(0, '127.0.0.1');
  await new Promise((r) => shops.once('listening', r));

  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  kafka = testKafka();
  const kafkaAdmin = kafka.admin();
  await kafkaAdmin.connect();
  await provisionTopics(kafkaAdmin, [
    { topic: DomainTopic.ShopInstallationChanged, partitions: 1, replicationFactor: 1 },
  ]);
  await kafkaAdmin.disconnect();
  await startGroupAtEnd(kafka, groupId);
  producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  await producer.connect();
  app = await startApp(groupId, {
    RUN_MIGRATIONS: 'true',
    SHOPS_URL: `http://127.0.0.1:${(shops.address() as AddressInfo).port}`,
    SHOPS_API_TOKEN,
    SHOPIFY_ADMIN_URL: `${sim.baseUrl}/shops/{shop}/admin/api/{version}`,
    SHOPIFY_API_VERSION: VERSION,
    CACHE_KEY_PREFIX: prefix,
    CACHE_PURGE_GROUP: `${groupId}-purge`,
  });
  const admin = app.app.get(SyncAdminClient);
  await waitFor(
    () => admin.credentialsHealth()?.changes.joined === true,
    'changes consumer joined',
  );
}, 180_000);

afterAll(async () => {
  await app?.close();
  await producer?.disconnect();
  await sim?.stop();
  shops?.closeAllConnections();
  await new Promise((r) => shops?.close(r));
  if (redis) {
    await clearCache();
    await redis.quit();
  }
});

it('reads an installed shop with the token the shops service hands out', async () => {
  const read = await storeConfig(installed);
  expect(read.status).toBe(200);
  expect(JSON.parse(read.body).shop).toBe(installed);
  expect(askedFor(installed, 'GET')).toHaveLength(1);
  expect(await adminRequests(installed)).toBe(1);
});

it('refuses an uninstalled shop locally: 404, no Admin API call, one token API request', async () => {
  const before = await unauthorized();
  for (let i = 0; i < 20; i++) {
    const read = await storeConfig(uninstalled);
    expect(read.status).toBe(404);
    expect(JSON.parse(read.body).message).toMatch(/no Admin API access/);
  }
  expect(await adminRequests(uninstalled)).toBe(0);
  expect(await unauthorized()).toBe(before);
  expect(askedFor(uninstalled)).toHaveLength(1); // remembered for the negative TTL
});

it('after Shopify refuses the token (401) reports it by sha256 and reads with the new one', async () => {
  // A token that dies at Shopify's side (1 s) while the shops service still hands it out.
  await sim.call('POST', '/sim/oauth/settings', { clientCredentialsTtlSeconds: 1 });
  const doomed = await grant(installed);
  await sim.call('POST', '/sim/oauth/settings', { clientCredentialsTtlSeconds: 86399 });
  current.set(installed, doomed);
  // sync still holds the previous (valid) token: a rotation event makes it ask again
  await installationChanged(installed, 'installation.token_rotated');
  await new Promise((r) => setTimeout(r, 1500));
  await clearCache();

  const before = await unauthorized();
  const read = await storeConfig(installed);
  expect(read.status).toBe(200);
  const posts = askedFor(installed, 'POST');
  expect(posts).toHaveLength(1);
  expect(JSON.parse(posts[0].body)).toEqual({ rejectedTokenSha256: sha256(doomed) });
  expect((await unauthorized()) - before).toBe(1);
  expect(current.get(installed)).not.toBe(doomed);
});

it('sees a reinstall at once through shops.installation.changed.v1', async () => {
  expect((await storeConfig(uninstalled)).status).toBe(404);
  current.set(uninstalled, await grant(uninstalled));
  await installationChanged(uninstalled, 'installation.installed');
  const read = await storeConfig(uninstalled);
  expect(read.status).toBe(200);
  expect(JSON.parse(read.body).shop).toBe(uninstalled);
});
