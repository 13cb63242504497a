import { ShopNotInstalledError } from '@shopwire/shop-credentials';
import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { isShopifyAdminError, ShopifyAdminClient, type ShopifyAdminClientOptions } from '../src';

// The real simulator process (built: `npm run build`), whose shops take only the live tokens it
// issued once it has issued one (expired → 401), and real Redis for the budgets.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `shopwire-test:admin-unauthorized:${randomUUID().slice(0, 8)}`;
const VERSION = '2026-01';
const CLIENT_ID = 'shopwire-dev-client';
const CLIENT_SECRET = 'shopwire-dev-client-secret-0123456789abcdef';
const QUERY = '{ shop { name } }';

let sim: SimulatorProcess;
let redis: Redis;
const clients: ShopifyAdminClient[] = [];

function client(overrides: Partial<ShopifyAdminClientOptions>): ShopifyAdminClient {
  const created = new ShopifyAdminClient({
    redis,
    keyPrefix: prefix,
    accessToken: () => 'unused',
    apiVersion: VERSION,
    shopUrl: (shop, version) => `${sim.baseUrl}/shops/${shop}/admin/api/${version}`,
    timeoutMs: 5000,
    registry: new Registry(),
    ...overrides,
  });
  clients.push(created);
  return created;
}

async function newShop(name: string): Promise<string> {
  const shop = `${name}-${randomUUID().slice(0, 8)}.myshopify.com`;
  expect((await sim.call('PUT', `/sim/admin/shops/${shop}`, { products: 2 })).status).toBeLessThan(
    300,
  );
  return shop;
}

/** A client-credentials grant from the simulator's token endpoint (as the shops service does). */
async function grant(shop: string): Promise<string> {
  const response = await fetch(`${sim.baseUrl}/shops/${shop}/admin/oauth/access_token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      grant_type: 'client_credentials',
    }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

async function oauthStats(): Promise<{ unauthorized: number }> {
  return (await sim.call<{ unauthorized: number }>('GET', '/sim/oauth/stats')).json;
}

async function graphqlRequests(shop: string): Promise<number> {
  const stats = await sim.call<{ graphql: { requests: number } }>(
    'GET',
    `/sim/admin/shops/${shop}/stats`,
  );
  return stats.json.graphql.requests;
}

beforeAll(async () => {
  sim = await startSimulatorProcess();
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
  await sim?.stop();
});

describe('Admin API client and refused tokens (simulator)', () => {
  it('after a 401 for an expired token asks once for a new one and the call succeeds', async () => {
    const shop = await newShop('expired');
    expect(
      (await sim.call('POST', '/sim/oauth/settings', { clientCredentialsTtlSeconds: 1 })).status,
    ).toBeLessThan(300);
    let current = await grant(shop);
    const first = current;
    const rejected: string[] = [];
    const admin = client({
      accessToken: () => current,
      onUnauthorized: async (_shop, token) => {
        rejected.push(token);
        current = await grant(shop);
        return current;
      },
    });
    await expect(admin.graphql(shop, QUERY)).resolves.toMatchObject({ shop: expect.anything() });
    await new Promise((r) => setTimeout(r, 1500)); // the token expires
    const before = await oauthStats();
    await expect(admin.graphql(shop, QUERY)).resolves.toMatchObject({ shop: expect.anything() });
    expect(rejected).toEqual([first]);
    expect(current).not.toBe(first);
    expect((await oauthStats()).unauthorized - before.unauthorized).toBe(1);
    expect(await graphqlRequests(shop)).toBe(2);
    await sim.call('POST', '/sim/oauth/settings', { clientCredentialsTtlSeconds: 86399 });
  });

  it('fails with a clear, non-transient error when the new token is refused too', async () => {
    const shop = await newShop('refused');
    await grant(shop); // the shop now takes only its live tokens
    const onUnauthorized = jest.fn(async () => 'shpat_also_unknown');
    const admin = client({ accessToken: () => 'shpat_unknown', onUnauthorized });
    const before = await oauthStats();
    const error = await admin.graphql(shop, QUERY).catch((e: unknown) => e);
    expect(isShopifyAdminError(error) && error.code).toBe('UNAUTHORIZED');
    expect(error).toMatchObject({ transient: false, status: 401 });
    expect((error as Error).message).toMatch(/again/);
    expect((error as Error).message).not.toContain('shpat');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    // two requests, no retries of a refusal
    expect((await oauthStats()).unauthorized - before.unauthorized).toBe(2);
    expect(await graphqlRequests(shop)).toBe(0);

    const rest = await client({ accessToken: () => 'shpat_unknown' })
      .rest(shop, { path: 'products.json' })
      .catch((e: unknown) => e);
    expect(rest).toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('fails a shop that is not installed at once: no request to Shopify, no budget spent', async () => {
    const shop = await newShop('uninstalled');
    const admin = client({
      accessToken: (s) => {
        throw new ShopNotInstalledError(s);
      },
      onUnauthorized: () => {
        throw new Error('must not be asked');
      },
    });
    const before = await oauthStats();
    const started = performance.now();
    for (let i = 0; i < 100; i++) {
      await expect(admin.graphql(shop, QUERY)).rejects.toBeInstanceOf(ShopNotInstalledError);
      await expect(admin.rest(shop, { path: 'products.json' })).rejects.toBeInstanceOf(
        ShopNotInstalledError,
      );
    }
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await graphqlRequests(shop)).toBe(0);
    expect((await oauthStats()).unauthorized).toBe(before.unauthorized);
    // the budget never heard of the shop
    expect(await redis.exists(`${prefix}:graphql:${shop}`, `${prefix}:rest:${shop}`)).toBe(0);
  });
});
