import { retryTopicOf, ShopifyKafkaTopic } from '@shopwire/contracts';
import {
  produceWebhooks,
  startGroupAtEnd,
  startSimulatorProcess,
  testKafka,
  uniqueShop,
  waitFor,
  type SimulatorProcess,
} from '@shopwire/testing';
import Redis from 'ioredis';
import type { Producer } from 'kafkajs';
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { request } from 'undici';
import { tokenSha256 } from '../src/credentials/token-vault';
import { call, coreDatabase, newKey, startReplica, type ShopsReplica } from './core-harness';

/**
 * Three shops service processes on one database against the simulator: tokens expiring every
 * few seconds while all three hand them out (no failed Admin call, no refresh token reused, about
 * one refresh per expiry), N replicas reporting one 401 cause one refresh, reauth_required as 409,
 * app/uninstalled and shop/redact from Kafka, a clean reinstall — and no token in their logs.
 */
// test-runs-alone: it counts the lifecycle consumer's outcomes for every app/uninstalled on the
// shared compliance topic, and another suite's forged or foreign one read at the same time counts
// as a second rejection.
describe('shops service replicas (Postgres, Kafka, Redis, simulator)', () => {
  let sim: SimulatorProcess;
  let replicas: ShopsReplica[] = [];
  let db: Pool;
  let redis: Redis;
  let producer: Producer;
  const uninstalledKey = `shopwire:test:${randomBytes(4).toString('hex')}:uninstalled`;
  const served = new Set<string>();

  beforeAll(async () => {
    const group = `shops-replicas-it-${randomBytes(4).toString('hex')}`;
    const kafka = testKafka('shops-replicas-it');
    let databaseUrl: string;
    [sim, databaseUrl] = await Promise.all([
      startSimulatorProcess(),
      coreDatabase('replicas'),
      startGroupAtEnd(kafka, group, [ShopifyKafkaTopic.Compliance, retryTopicOf('shops')]),
    ]);
    db = new Pool({ connectionString: databaseUrl, max: 2 });
    redis = new Redis('redis://127.0.0.1:6379');
    producer = kafka.producer();
    await producer.connect();
    const env = {
      DATABASE_URL: databaseUrl,
      SHOPIFY_SHOP_URL: `${sim.baseUrl}/shops/{shop}`,
      SHOPS_TOKEN_KEYS: `k1:${newKey()}`,
      SHOPS_CONSUMER_GROUP: group,
      SHOPS_UNINSTALLED_SET_KEY: uninstalledKey,
      SHOPS_REFRESH_POLL_MS: '300',
      SHOPS_TOKEN_ENDPOINT_TIMEOUT_MS: '3000',
      // Subscriptions are another suite's subject; keep their loop out of the way.
      SUBSCRIPTIONS_RECONCILE_INTERVAL_SECONDS: '3600',
    };
    replicas = await Promise.all([startReplica(env), startReplica(env), startReplica(env)]);
  });

  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await producer?.disconnect();
    await redis?.del(uninstalledKey);
    redis?.disconnect();
    await db?.end();
    await sim?.stop();
  });

  async function installByTokenExchange(shop: string, via: ShopsReplica): Promise<void> {
    const { json } = await sim.call<{ token: string }>('POST', '/sim/oauth/session-token', {
      shop,
    });
    const response = await request(`${via.baseUrl}/auth/token-exchange`, {
      method: 'POST',
      headers: { authorization: `Bearer ${json.token}` },
    });
    const text = await response.body.text();
    if (response.statusCode !== 200)
      throw new Error(`token exchange: ${response.statusCode} ${text}`);
  }

  async function token(replica: ShopsReplica, shop: string) {
    const answer = await call('GET', `${replica.baseUrl}/internal/shops/${shop}/access-token`);
    if (answer.status === 200) served.add(answer.json.accessToken as string);
    return answer;
  }

  async function stats(): Promise<{
    refreshes: number;
    reusedRefreshTokens: number;
    unauthorized: number;
  }> {
    return (await sim.call<never>('GET', '/sim/oauth/stats')).json;
  }

  async function adminCall(shop: string, accessToken: string): Promise<number> {
    const response = await request(`${sim.baseUrl}/shops/${shop}/admin/api/2026-01/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': accessToken },
      body: JSON.stringify({ query: '{ shop { name } }' }),
    });
    await response.body.dump();
    return response.statusCode;
  }

  it('keeps every Admin call working while tokens expire every 4 s across three replicas', async () => {
    await sim.call('POST', '/sim/oauth/settings', { accessTokenTtlSeconds: 4 });
    const shop = uniqueShop();
    try {
      await installByTokenExchange(shop, replicas[0]);
      const before = await stats();
      const started = Date.now();
      const failures: string[] = [];
      let calls = 0;
      await Promise.all(
        replicas.map(async (replica) => {
          while (Date.now() - started < 12_000) {
            const answer = await token(replica, shop);
            if (answer.status !== 200) failures.push(`token API ${answer.status}`);
            else {
              const status = await adminCall(shop, answer.json.accessToken as string);
              calls += 1;
              if (status !== 200) failures.push(`admin ${status}`);
            }
            await new Promise((r) => setTimeout(r, 100));
          }
        }),
      );
      const elapsed = Date.now() - started;
      const after = await stats();
      expect(failures).toEqual([]);
      expect(calls).toBeGreaterThan(30);
      expect(after.reusedRefreshTokens).toBe(0);
      expect(after.unauthorized - before.unauthorized).toBe(0);
      // Due at half of a 4 s lifetime: one refresh per 2 s, not one per replica or per call.
      const refreshes = after.refreshes - before.refreshes;
      expect(refreshes).toBeGreaterThanOrEqual(Math.floor(elapsed / 2000) - 2);
      expect(refreshes).toBeLessThanOrEqual(Math.ceil(elapsed / 2000) + 1);
    } finally {
      await sim.call('POST', '/sim/oauth/settings', { accessTokenTtlSeconds: 3600 });
      // The loop's next refresh brings a long-lived token; after it the simulator's refresh
      // count (global) stays put for the next test.
      await waitFor(async () => {
        const view = await call('GET', `${replicas[0].baseUrl}/shops/${shop}`);
        const credential = view.json.credential as { accessTokenExpiresAt: string } | null;
        return Date.parse(credential?.accessTokenExpiresAt ?? '') > Date.now() + 600_000;
      }, 'a long-lived token after the short ones');
    }
  });

  it('refreshes once when every replica reports the same 401', async () => {
    const shop = uniqueShop();
    await installByTokenExchange(shop, replicas[1]);
    const current = await token(replicas[0], shop);
    expect(current.headers['cache-control']).toBe('no-store');
    const rejectedTokenSha256 = tokenSha256(current.json.accessToken as string);
    const before = await stats();
    const answers = await Promise.all(
      [...replicas, ...replicas].map((r) =>
        call('POST', `${r.baseUrl}/internal/shops/${shop}/access-token/refresh`, {
          rejectedTokenSha256,
        }),
      ),
    );
    for (const answer of answers) served.add(answer.json.accessToken as string);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(answers.map((a) => a.json.version))).toEqual(new Set([2]));
    expect((await stats()).refreshes - before.refreshes).toBe(1);
  });

  it('answers 409 once Shopify refuses, then uninstalls, reinstalls clean and redacts from webhooks', async () => {
    const shop = uniqueShop();
    await installByTokenExchange(shop, replicas[2]);
    const current = await token(replicas[0], shop);
    await sim.call('POST', `/sim/shops/${shop}/uninstall`, { url: 'http://127.0.0.1:9/none' });
    const refused = await call(
      'POST',
      `${replicas[1].baseUrl}/internal/shops/${shop}/access-token/refresh`,
      {
        rejectedTokenSha256: tokenSha256(current.json.accessToken as string),
      },
    );
    expect(refused).toMatchObject({ status: 409, json: { code: 'reauth_required' } });
    expect(refused.headers['cache-control']).toBe('no-store');
    expect((await token(replicas[2], shop)).status).toBe(409);
    const metrics = await (await request(`${replicas[1].baseUrl}/metrics`)).body.text();
    expect(metrics).toMatch(
      /shopwire_shops_reauth_required_total\{[^}]*grant_type="token_exchange"[^}]*\} 1\b/,
    );

    const uninstall = {
      shop,
      shopifyTopic: 'app/uninstalled',
      // The shop resource, as Shopify sends it (the consumer checks it names this shop).
      body: `{"id":548380009,"domain":"${shop}","myshopify_domain":"${shop}"}`,
      resourceId: null,
    };
    // Ahead of it on the shop's partition, a captured app/uninstalled of another shop re-sent
    // under this shop's header: skipped, never applied.
    const forged = {
      ...uninstall,
      body: `{"id":1,"domain":"other.example","myshopify_domain":"other-${shop}"}`,
    };
    await produceWebhooks(producer, ShopifyKafkaTopic.Compliance, [forged, uninstall]);
    await waitFor(async () => {
      const view = await call('GET', `${replicas[0].baseUrl}/shops/${shop}`);
      return view.json.status === 'uninstalled';
    }, 'app/uninstalled applied');
    const lifecycle = async (outcome: string) => {
      let total = 0;
      for (const replica of replicas) {
        const text = await (await request(`${replica.baseUrl}/metrics`)).body.text();
        for (const line of text.split('\n'))
          if (
            line.startsWith('shopwire_shops_lifecycle_webhooks_total{') &&
            line.includes('topic="app/uninstalled"') &&
            line.includes(`outcome="${outcome}"`)
          )
            total += Number(line.slice(line.lastIndexOf(' ') + 1));
      }
      return total;
    };
    // The forged one was read first and refused; the real one did the uninstall (counted just
    // after its commit, so waited for).
    await waitFor(async () => (await lifecycle('uninstalled')) === 1, 'the uninstall counted');
    expect(await lifecycle('rejected')).toBe(1);
    const gone = await token(replicas[0], shop);
    expect(gone).toMatchObject({ status: 404, json: { code: 'not_installed' } });
    expect(gone.headers['cache-control']).toBe('no-store');
    expect(
      (await db.query(`SELECT 1 FROM shops.credentials WHERE shop = $1`, [shop])).rowCount,
    ).toBe(0);
    await waitFor(async () => (await redis.sismember(uninstalledKey, shop)) === 1, 'Redis set');

    // Reinstall: a new generation with a new token, out of the uninstalled set.
    await installByTokenExchange(shop, replicas[0]);
    const fresh = await token(replicas[1], shop);
    expect(fresh.status).toBe(200);
    expect(fresh.json.accessToken).not.toBe(current.json.accessToken);
    expect(fresh.json.version).toBe(1);
    const view = await call('GET', `${replicas[2].baseUrl}/shops/${shop}`);
    expect(view.json).toMatchObject({
      status: 'installed',
      generation: 2,
      grantType: 'token_exchange',
    });
    expect(JSON.stringify(view.json)).not.toContain(fresh.json.accessToken as string);
    expect(await redis.sismember(uninstalledKey, shop)).toBe(0);

    // Uninstalled again, then shop/redact 48 h later erases what is left.
    await produceWebhooks(producer, ShopifyKafkaTopic.Compliance, [
      uninstall,
      {
        shop,
        shopifyTopic: 'shop/redact',
        body: `{"shop_id":548380009,"shop_domain":"${shop}"}`,
        resourceId: null,
      },
    ]);
    await waitFor(async () => {
      const rows = await db.query(`SELECT redacted_at FROM shops.installations WHERE shop = $1`, [
        shop,
      ]);
      return rows.rows[0]?.redacted_at != null;
    }, 'shop/redact applied');
    const redacted = await call('GET', `${replicas[0].baseUrl}/shops/${shop}`);
    expect(redacted.json).toMatchObject({ status: 'uninstalled', scopes: [], credential: null });
  });

  it('wrote no token into any replica log line', () => {
    expect(served.size).toBeGreaterThan(5);
    const logs = replicas.map((r) => r.logs()).join('\n');
    expect(logs).toContain('token refreshed');
    for (const accessToken of served) expect(logs).not.toContain(accessToken);
  });
});
