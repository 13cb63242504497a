import { startSimulatorProcess, type SimulatorProcess } from '@shopwire/testing';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Pool } from 'pg';
import { request } from 'undici';
import { API_TOKEN, callJson, startShopsProcess, type ShopsProcess } from './install-harness';

// The shops service (built, as a process) keeping a shop's subscriptions in the real simulator
// process: put in place at install through its own event, repaired on demand and on schedule,
// foreign subscriptions untouched, the metrics moving. `npm run build` first.

const CLIENT_ID = 'subs-it-client';
const CLIENT_SECRET = 'subs-it-client-secret-0123456789abcdef';
const GATEWAY = 'http://127.0.0.1:3999/webhooks/shopify';
const FOREIGN = 'http://127.0.0.1:3998/someone-else';
const ROOT = join(__dirname, '../../..');

let sim: SimulatorProcess;
let shops: ShopsProcess;

interface Sub {
  id: string;
  topic: string;
  uri: string;
  apiVersion: { handle: string };
}

/**
 * A database of this suite's own: the service reconciles every installed shop it holds, and
 * other suites' shops do not exist in this suite's simulator.
 */
async function ownDatabase(): Promise<string> {
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const admin = new Pool({ connectionString: server, max: 1 });
  const name = 'shopwire_shops_subscriptions_it';
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

beforeAll(async () => {
  const databaseUrl = await ownDatabase();
  sim = await startSimulatorProcess({
    SIM_APP_CLIENT_ID: CLIENT_ID,
    SIM_APP_CLIENT_SECRET: CLIENT_SECRET,
  });
  shops = await startShopsProcess({
    SHOPIFY_API_KEY: CLIENT_ID,
    SHOPIFY_API_SECRET: CLIENT_SECRET,
    SHOPIFY_SHOP_URL: `${sim.baseUrl}/shops/{shop}`,
    DATABASE_URL: databaseUrl,
    SHOPIFY_WEBHOOK_URL: GATEWAY,
    SUBSCRIPTIONS_RECONCILE_INTERVAL_SECONDS: '4',
    SUBSCRIPTIONS_CONSUMER_GROUP: `shops-subs-it-${randomUUID().slice(0, 8)}`,
  });
}, 120_000);

afterAll(async () => {
  await shops?.stop();
  await sim?.stop();
});

async function installShop(): Promise<string> {
  const shop = `subs-${randomUUID().slice(0, 8)}.myshopify.com`;
  const answer = await callJson('POST', `${shops.baseUrl}/shops/${shop}/client-credentials`);
  expect(answer.status).toBe(201);
  return shop;
}

/** The shop's Admin GraphQL in the simulator, with the token the shops service holds. */
async function admin<T>(shop: string, query: string, variables: object = {}): Promise<T> {
  const token = (
    await callJson('GET', `${shops.baseUrl}/internal/shops/${shop}/access-token`)
  ).json<{ accessToken: string }>().accessToken;
  const response = await request(`${sim.baseUrl}/shops/${shop}/admin/api/2026-01/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function subscriptions(shop: string): Promise<Sub[]> {
  const data = await admin<{ webhookSubscriptions: { nodes: Sub[] } }>(
    shop,
    `{ webhookSubscriptions(first: 100) { nodes { id topic uri apiVersion { handle } } } }`,
  );
  return data.webhookSubscriptions.nodes;
}

const DECLARED = 19; // admin-api topics in libs/contracts/src/webhook-subscriptions.ts

async function eventually<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const metrics = async () => (await callJson('GET', `${shops.baseUrl}/metrics`)).text;

/** Sum of the series of `name` carrying every label in `labels` (others, e.g. service, ignored). */
function metricSum(page: string, name: string, labels: Record<string, string>): number {
  return page
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`))
    .filter((line) => Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('webhook subscriptions kept true', () => {
  let shop: string;

  beforeAll(async () => {
    shop = await installShop();
  });

  it('puts every declared subscription in place after the install, at the declared version', async () => {
    const subs = await eventually(
      () => subscriptions(shop),
      (s) => s.length === DECLARED,
    );
    expect(new Set(subs.map((s) => s.uri))).toEqual(new Set([GATEWAY]));
    expect(new Set(subs.map((s) => s.apiVersion.handle))).toEqual(new Set(['2026-01']));
    expect(subs.map((s) => s.topic)).not.toContain('CUSTOMERS_REDACT');
    const view = await eventually(
      async () =>
        (await callJson('GET', `${shops.baseUrl}/shops/${shop}/webhook-subscriptions`)).json<{
          subscriptions: { topic: string; actual: { state: string; uri: string } | null }[];
        }>(),
      (v) => v.subscriptions.every((s) => s.actual !== null),
    );
    expect(view.subscriptions).toHaveLength(DECLARED);
    for (const s of view.subscriptions) {
      expect(s.actual!.uri).toBe(GATEWAY);
      expect(['created', 'in_place']).toContain(s.actual!.state);
    }
  });

  it('brings back a deleted one, fixes a wrong URI, leaves foreign ones, and counts it', async () => {
    const before = await subscriptions(shop);
    const deleted = before.find((s) => s.topic === 'ORDERS_CREATE')!;
    const moved = before.find((s) => s.topic === 'PRODUCTS_UPDATE')!;
    await admin(
      shop,
      `mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { userErrors { message } } }`,
      {
        id: deleted.id,
      },
    );
    await admin(
      shop,
      `mutation($id: ID!, $s: WebhookSubscriptionInput!) { webhookSubscriptionUpdate(id: $id, webhookSubscription: $s) { userErrors { message } } }`,
      { id: moved.id, s: { uri: 'http://127.0.0.1:3999/webhooks/old-path' } },
    );
    const create = `mutation($t: WebhookSubscriptionTopic!, $s: WebhookSubscriptionInput!) { webhookSubscriptionCreate(topic: $t, webhookSubscription: $s) { webhookSubscription { id } userErrors { message } } }`;
    await admin(shop, create, { t: 'ORDERS_CREATE', s: { uri: FOREIGN } });
    await admin(shop, create, { t: 'CUSTOMERS_CREATE', s: { uri: FOREIGN } });
    const missingBefore = metricSum(
      await metrics(),
      'shopwire_webhook_subscriptions_missing_total',
      {
        topic: 'orders/create',
      },
    );

    const answer = await callJson(
      'POST',
      `${shops.baseUrl}/shops/${shop}/webhook-subscriptions/reconcile`,
    );
    expect(answer.status).toBe(200);
    const report = answer.json<{
      created: string[];
      updated: { topic: string; changes: string[] }[];
      deleted: unknown[];
      failed: unknown[];
      foreign: number;
    }>();
    expect(report.created).toEqual(['orders/create']);
    expect(report.updated).toEqual([{ topic: 'products/update', changes: ['uri'] }]);
    expect(report).toMatchObject({ deleted: [], failed: [], foreign: 2 });

    const after = await subscriptions(shop);
    expect(after.filter((s) => s.uri === GATEWAY)).toHaveLength(DECLARED);
    expect(
      after
        .filter((s) => s.uri === FOREIGN)
        .map((s) => s.topic)
        .sort(),
    ).toEqual(['CUSTOMERS_CREATE', 'ORDERS_CREATE']);
    const page = await metrics();
    expect(
      metricSum(page, 'shopwire_webhook_subscriptions_missing_total', { topic: 'orders/create' }),
    ).toBe(missingBefore + 1);
    expect(
      metricSum(page, 'shopwire_webhook_subscriptions_repaired_total', {
        action: 'updated',
        trigger: 'manual',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('repairs on the schedule without being asked', async () => {
    const target = (await subscriptions(shop)).find(
      (s) => s.topic === 'APP_UNINSTALLED' && s.uri === GATEWAY,
    )!;
    await admin(
      shop,
      `mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { userErrors { message } } }`,
      {
        id: target.id,
      },
    );
    await eventually(
      () => subscriptions(shop),
      (s) => s.some((x) => x.topic === 'APP_UNINSTALLED' && x.uri === GATEWAY),
      40_000,
    );
    expect(
      metricSum(await metrics(), 'shopwire_webhook_subscriptions_repaired_total', {
        action: 'created',
        trigger: 'schedule',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reconciles through `npm run ops -- reconcile-subscriptions`, and refuses an unknown shop', async () => {
    const run = promisify(execFile);
    const env = { ...process.env, SHOPS_URL: shops.baseUrl, SHOPS_API_TOKEN: API_TOKEN };
    const { stdout } = await run(
      process.execPath,
      [join(ROOT, 'dist/scripts/ops.js'), 'reconcile-subscriptions', shop],
      { env },
    );
    expect(JSON.parse(stdout)).toMatchObject({ shop, trigger: 'manual', created: [], failed: [] });
    const missing = await callJson(
      'POST',
      `${shops.baseUrl}/shops/never-${randomUUID().slice(0, 6)}.myshopify.com/webhook-subscriptions/reconcile`,
    );
    expect(missing.status).toBe(404);
  });

  it('never writes the token into its logs', async () => {
    const token = (
      await callJson('GET', `${shops.baseUrl}/internal/shops/${shop}/access-token`)
    ).json<{ accessToken: string }>().accessToken;
    expect(shops.logs()).not.toContain(token);
  });
});
