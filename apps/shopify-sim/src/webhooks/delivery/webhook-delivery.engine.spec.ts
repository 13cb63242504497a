import { DeliveryStats } from './delivery-stats';
import type { AttemptOutcome } from './webhook-delivery.client';
import { WebhookDeliveryEngine, type WebhookSender } from './webhook-delivery.engine';
import type { WebhookDelivery } from './webhook-envelope';

const delivery = (id: string): WebhookDelivery => ({
  webhookId: id,
  topic: 'orders/create',
  shopDomain: 'shopwire-demo.myshopify.com',
  eventId: `ev-${id}`,
  body: Buffer.from(`{"id":${id.length}}`),
  headers: { 'X-Shopify-Webhook-Id': id },
  signedWith: 'current',
  duplicate: false,
});

/** A sender scripted per webhook id; records every attempt with its time. */
class FakeSender implements WebhookSender {
  readonly calls: { id: string; body: Buffer; at: number }[] = [];
  active = 0;
  maxActive = 0;
  constructor(
    private readonly answer: (id: string, attempt: number) => AttemptOutcome,
    private readonly latencyMs = 1,
  ) {}

  async post(_url: string, headers: Record<string, string>, body: Buffer): Promise<AttemptOutcome> {
    const id = headers['X-Shopify-Webhook-Id']!;
    this.calls.push({ id, body, at: Date.now() });
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    this.active--;
    return this.answer(id, this.calls.filter((c) => c.id === id).length);
  }
}

const fail: AttemptOutcome = { ok: false, reason: 'http_status', status: 500 };
const ok: AttemptOutcome = { ok: true, status: 200 };
const delays = [2, 4, 8, 16, 32, 64, 128, 256].map((d) => d / 4);

describe('WebhookDeliveryEngine', () => {
  it('retries a failing delivery with the same bytes and id until it succeeds', async () => {
    const sender = new FakeSender((_id, attempt) => (attempt <= 3 ? fail : ok));
    const stats = new DeliveryStats();
    const engine = new WebhookDeliveryEngine(sender, { concurrency: 4, retryDelaysMs: delays }, [
      stats,
    ]);
    const d = delivery('a');
    engine.submit({ url: 'http://x', delivery: d });
    await engine.whenIdle();
    expect(sender.calls).toHaveLength(4);
    expect(sender.calls.every((c) => c.id === 'a' && c.body === d.body)).toBe(true);
    expect(stats.snapshot()).toMatchObject({
      delivered: 1,
      failed: 0,
      retried: 3,
      attempts: 4,
      inFlight: 0,
      waitingRetry: 0,
    });
    expect(stats.snapshot().failuresByReason.http_status).toBe(3);
  });

  it('gives up after 8 retries (9 attempts) and waits longer before each retry', async () => {
    const sender = new FakeSender(() => fail, 0);
    const stats = new DeliveryStats();
    const engine = new WebhookDeliveryEngine(
      sender,
      { concurrency: 1, retryDelaysMs: [5, 10, 20, 40, 80, 160, 320, 640].map((d) => d / 8) },
      [stats],
    );
    engine.submit({ url: 'http://x', delivery: delivery('b') });
    await engine.whenIdle();
    expect(sender.calls).toHaveLength(9);
    expect(stats.snapshot()).toMatchObject({ delivered: 0, failed: 1, retried: 8, attempts: 9 });
    const gaps = sender.calls.slice(1).map((c, i) => c.at - sender.calls[i]!.at);
    expect(gaps[7]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[7]!).toBeGreaterThanOrEqual(75);
  });

  it('never has more than `concurrency` requests in flight', async () => {
    const sender = new FakeSender(() => ok, 5);
    const stats = new DeliveryStats();
    const engine = new WebhookDeliveryEngine(sender, { concurrency: 3, retryDelaysMs: delays }, [
      stats,
    ]);
    for (let i = 0; i < 20; i++) engine.submit({ url: 'http://x', delivery: delivery(`c${i}`) });
    expect(engine.queued).toBe(17);
    await engine.whenIdle();
    expect(sender.maxActive).toBe(3);
    expect(stats.snapshot()).toMatchObject({ submitted: 20, delivered: 20 });
    expect(stats.snapshot().latencyMs.p50).toBeGreaterThanOrEqual(4);
  });

  it('cancels a tag: queued and retry-waiting deliveries are dropped, others go on', async () => {
    const sender = new FakeSender((id) => (id.startsWith('keep') ? ok : fail), 1);
    const engine = new WebhookDeliveryEngine(sender, {
      concurrency: 1,
      retryDelaysMs: [1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000],
    });
    const dropped = new DeliveryStats();
    for (let i = 0; i < 5; i++)
      engine.submit({
        url: 'http://x',
        delivery: delivery(`drop${i}`),
        tag: 's1',
        observer: dropped,
      });
    engine.submit({ url: 'http://x', delivery: delivery('keep'), tag: 's2' });
    await new Promise((resolve) => setTimeout(resolve, 30));
    engine.cancel('s1');
    await engine.whenIdle();
    expect(dropped.snapshot().cancelled).toBe(5);
    expect(dropped.pending).toBe(0);
    expect(sender.calls.some((c) => c.id === 'keep')).toBe(true);
  });

  it('holds a delayed delivery back before its first attempt', async () => {
    const sender = new FakeSender(() => ok, 0);
    const stats = new DeliveryStats();
    const engine = new WebhookDeliveryEngine(sender, { concurrency: 2, retryDelaysMs: delays }, [
      stats,
    ]);
    const start = Date.now();
    engine.submit({ url: 'http://x', delivery: delivery('late'), initialDelayMs: 60 });
    expect(stats.snapshot().delayed).toBe(1);
    await engine.whenIdle();
    expect(sender.calls[0]!.at - start).toBeGreaterThanOrEqual(55);
    expect(stats.snapshot()).toMatchObject({ delivered: 1, delayed: 0 });
  });
});
