import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { BudgetGate, RedisBudget } from '../src';

// Real Redis; every key of this file is under its own prefix, removed afterwards.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `shopwire-test:budget:${randomUUID().slice(0, 8)}`;
const policy = { marginFraction: 0.02, reportingReserveFraction: 0.25, idleTtlSeconds: 60 };
const connections: Redis[] = [];

function connect(): Redis {
  const redis = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 });
  connections.push(redis);
  return redis;
}

/** A bucket that restores 1 point/s: slow enough that timing on a loaded machine barely counts. */
async function slowBucket(budget: RedisBudget, shop: string, max = 1000): Promise<void> {
  await budget.settle(shop, {
    reserved: 0,
    actual: 0,
    reportedAvailable: max,
    reportedMax: max,
    reportedRestorePerSecond: 1,
  });
}

afterAll(async () => {
  const redis = connections[0] ?? connect();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  await Promise.all(connections.map((c) => c.quit()));
});

describe('RedisBudget (real Redis)', () => {
  it('starts a new shop from the defaults and spends down to the safety margin', async () => {
    const budget = new RedisBudget(connect(), prefix, { max: 2000, restorePerSecond: 100 }, policy);
    const shop = `fresh-${randomUUID()}.myshopify.com`;
    expect(await budget.peek(shop)).toMatchObject({ max: 2000, restorePerSecond: 100 });
    const first = await budget.reserve(shop, 1500, 'default');
    expect(first).toMatchObject({ granted: true, reserved: 1500 });
    // 2000 - 1500 leaves ~500 (+ a little restored); the margin is 40, so 500 more cannot fit
    const refused = await budget.reserve(shop, 500, 'default');
    expect(refused.granted).toBe(false);
    // (500 + 40 - ~500) points at 100/s: well under a second, more than nothing
    expect(refused.waitMs).toBeGreaterThan(0);
    expect(refused.waitMs).toBeLessThanOrEqual(410);
    expect(await redisTtl(budget.key(shop))).toBeGreaterThan(0);
  });

  it('never lets three replicas racing spend more than the bucket holds', async () => {
    const shop = `race-${randomUUID()}.myshopify.com`;
    const budgets = [0, 1, 2].map(
      () => new RedisBudget(connect(), prefix, { max: 1000, restorePerSecond: 1 }, policy),
    );
    await slowBucket(budgets[0], shop);
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => budgets[i % 3].reserve(shop, 10, 'default')),
    );
    const elapsedS = (Date.now() - started) / 1000;
    const granted = results.filter((r) => r.granted).length;
    // 1000 - 20 (margin) = 98 calls of 10, plus whatever restored at 1 point/s meanwhile
    expect(granted * 10).toBeLessThanOrEqual(980 + Math.ceil(elapsedS) + 10);
    expect(granted).toBeGreaterThanOrEqual(98);
    expect((await budgets[1].peek(shop)).available).toBeGreaterThanOrEqual(0);
  });

  it('trues up: refunds the unused part, only lowers to what Shopify reports, learns the plan', async () => {
    const budget = new RedisBudget(connect(), prefix, { max: 2000, restorePerSecond: 100 }, policy);
    const shop = `settle-${randomUUID()}.myshopify.com`;
    await slowBucket(budget, shop);
    const { reserved } = await budget.reserve(shop, 300, 'default');
    await budget.settle(shop, { reserved, actual: 100 });
    let state = await budget.peek(shop);
    expect(state.available).toBeGreaterThanOrEqual(900 - 0.1);
    expect(state.available).toBeLessThan(905);
    // a higher report (other replicas' calls still in flight) does not raise the model…
    await budget.settle(shop, { reserved: 0, actual: 0, reportedAvailable: 1000 });
    expect((await budget.peek(shop)).available).toBeLessThan(905);
    // …nor does one a few points lower (the reply's age, not a discrepancy), unless THROTTLED
    const before = (await budget.peek(shop)).available;
    await budget.settle(shop, { reserved: 0, actual: 0, reportedAvailable: before - 5 });
    expect((await budget.peek(shop)).available).toBeGreaterThan(before - 1);
    await budget.settle(shop, {
      reserved: 0,
      actual: 0,
      reportedAvailable: before - 5,
      strict: true,
    });
    expect((await budget.peek(shop)).available).toBeLessThan(before - 4);
    // …a clearly lower one lowers it, and a new plan's numbers are taken as they come
    await budget.settle(shop, {
      reserved: 0,
      actual: 0,
      reportedAvailable: 250,
      reportedMax: 4000,
      reportedRestorePerSecond: 200,
    });
    state = await budget.peek(shop);
    expect(state).toMatchObject({ max: 4000, restorePerSecond: 200 });
    expect(state.available).toBeGreaterThanOrEqual(250);
    expect(state.available).toBeLessThan(250 + 200 * 5);
  });

  it('keeps a reserve from reporting calls and makes them yield to waiting critical calls', async () => {
    const budget = new RedisBudget(connect(), prefix, { max: 1000, restorePerSecond: 1 }, policy);
    const shop = `classes-${randomUUID()}.myshopify.com`;
    await slowBucket(budget, shop);
    // reporting may go down to margin + reserve = 20 + 250
    expect((await budget.reserve(shop, 700, 'reporting')).granted).toBe(true);
    expect((await budget.reserve(shop, 100, 'reporting')).granted).toBe(false);
    expect((await budget.reserve(shop, 100, 'default')).granted).toBe(true);
    // ~200 left; a critical call for 500 must wait, and marks itself waiting
    const critical = await budget.reserve(shop, 500, 'critical');
    expect(critical.granted).toBe(false);
    // now even a small default call yields to it, for as long as the critical one waits
    const yielded = await budget.reserve(shop, 1, 'default');
    expect(yielded.granted).toBe(false);
    expect(yielded.waitMs).toBeGreaterThan(100_000);
    expect((await budget.reserve(shop, 1, 'reporting')).granted).toBe(false);
    // the critical class itself is never held back by the marker
    expect((await budget.reserve(shop, 50, 'critical')).granted).toBe(true);
  });

  it('clamps a call dearer than the bucket, so it waits instead of never running', async () => {
    const budget = new RedisBudget(connect(), prefix, { max: 100, restorePerSecond: 1 }, policy);
    const shop = `clamp-${randomUUID()}.myshopify.com`;
    expect(await budget.reserve(shop, 500, 'critical')).toMatchObject({
      granted: true,
      reserved: 98,
    });
  });

  it('admits calls through the gate as points restore', async () => {
    const budget = new RedisBudget(connect(), prefix, { max: 100, restorePerSecond: 100 }, policy);
    const gate = new BudgetGate(budget);
    const shop = `gate-${randomUUID()}.myshopify.com`;
    const started = Date.now();
    // 98 usable at once, then 100 points/s: ten calls of 40 need ~3 s of restore
    const admissions = await Promise.all(
      Array.from({ length: 10 }, () => gate.admit(shop, 40, 'default')),
    );
    const elapsed = Date.now() - started;
    expect(admissions).toHaveLength(10);
    expect(elapsed).toBeGreaterThanOrEqual(2500);
    expect(Math.max(...admissions.map((a) => a.waitedMs))).toBeGreaterThanOrEqual(2500);
  });
});

async function redisTtl(key: string): Promise<number> {
  return connections[0].ttl(key);
}
