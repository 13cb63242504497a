import { SeededRandom } from '../../random/seeded-random';
import { FaultInjector, NO_FAULTS, type PlannedDelivery } from './fault-injector';
import type { WebhookDelivery } from './webhook-envelope';

const delivery = (n: number): WebhookDelivery => ({
  webhookId: `wh-${n}`,
  topic: 'orders/updated',
  shopDomain: 'shopwire-demo.myshopify.com',
  eventId: `ev-${n}`,
  body: Buffer.from(`{"id":${n}}`),
  headers: { 'X-Shopify-Webhook-Id': `wh-${n}` },
  signedWith: 'current',
  duplicate: false,
});

function run(injector: FaultInjector, count: number): PlannedDelivery[] {
  const out: PlannedDelivery[] = [];
  for (let n = 0; n < count; n++) out.push(...injector.push(delivery(n), 0));
  out.push(...injector.flush());
  return out;
}

describe('FaultInjector', () => {
  it('passes deliveries through untouched when no fault is configured', () => {
    const out = run(new FaultInjector(new SeededRandom(1), NO_FAULTS), 50);
    expect(out.map((p) => p.delivery.webhookId)).toEqual(
      Array.from({ length: 50 }, (_, n) => `wh-${n}`),
    );
    expect(out.every((p) => p.initialDelayMs === 0 && !p.delivery.duplicate)).toBe(true);
  });

  it('re-sends about p of the deliveries with the same webhook id, body and headers', () => {
    const out = run(
      new FaultInjector(new SeededRandom(2), { ...NO_FAULTS, duplicateProbability: 0.25 }),
      4000,
    );
    const duplicates = out.filter((p) => p.delivery.duplicate);
    expect(duplicates.length / 4000).toBeGreaterThan(0.22);
    expect(duplicates.length / 4000).toBeLessThan(0.28);
    expect(out).toHaveLength(4000 + duplicates.length);
    for (const dup of duplicates) {
      const original = out.find(
        (p) => !p.delivery.duplicate && p.delivery.webhookId === dup.delivery.webhookId,
      )!;
      expect(dup.delivery.body.equals(original.delivery.body)).toBe(true);
      expect(dup.delivery.headers).toEqual(original.delivery.headers);
    }
  });

  it('shuffles within windows: everything arrives once, out of order, never beyond its window', () => {
    const window = 10;
    const out = run(
      new FaultInjector(new SeededRandom(3), { ...NO_FAULTS, reorderWindow: window }),
      200,
    );
    const order = out.map((p) => Number(p.delivery.webhookId.slice(3)));
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, n) => n));
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
    // An older update arrives after a newer one somewhere.
    expect(order.some((n, i) => i > 0 && n < order[i - 1]!)).toBe(true);
    order.forEach((n, i) => expect(Math.floor(n / window)).toBe(Math.floor(i / window)));
  });

  it('holds a partial window only until reorderMaxHoldMs', () => {
    const injector = new FaultInjector(new SeededRandom(4), {
      ...NO_FAULTS,
      reorderWindow: 10,
      reorderMaxHoldMs: 500,
    });
    expect(injector.push(delivery(1), 1000)).toEqual([]);
    expect(injector.push(delivery(2), 1100)).toEqual([]);
    expect(injector.tick(1400)).toEqual([]);
    expect(injector.tick(1500)).toHaveLength(2);
    expect(injector.held).toBe(0);
  });

  it('delays about p of the deliveries by at most delayMaxMs', () => {
    const out = run(
      new FaultInjector(new SeededRandom(5), {
        ...NO_FAULTS,
        delayProbability: 0.1,
        delayMaxMs: 3000,
      }),
      2000,
    );
    const delayed = out.filter((p) => p.initialDelayMs > 0);
    expect(delayed.length / 2000).toBeGreaterThan(0.08);
    expect(delayed.length / 2000).toBeLessThan(0.12);
    expect(Math.max(...delayed.map((p) => p.initialDelayMs))).toBeLessThanOrEqual(3000);
  });
});
