import { NO_FAULTS } from '../delivery/fault-injector';
import type { AttemptOutcome } from '../delivery/webhook-delivery.client';
import { WebhookDeliveryEngine, type WebhookSender } from '../delivery/webhook-delivery.engine';
import { WebhookStream, type StreamConfig } from './webhook-stream';

const config = (overrides: Partial<StreamConfig>): StreamConfig => ({
  url: 'http://receiver.invalid/webhooks',
  ratePerSecond: 10_000,
  shops: ['shopwire-demo.myshopify.com'],
  faults: NO_FAULTS,
  signing: { oldSecretProbability: 0, wrongSecretProbability: 0 },
  seed: 'stream-spec',
  apiVersion: '2026-10',
  secrets: { current: 'secret' },
  ...overrides,
});

const instant: WebhookSender = {
  post: async (): Promise<AttemptOutcome> => ({ ok: true, status: 200 }),
};

const started: WebhookStream[] = [];
// Streams tick on an interval; a failed assertion must not leave one running.
afterEach(() => started.splice(0).forEach((stream) => stream.stop()));

function track(stream: WebhookStream): WebhookStream {
  started.push(stream);
  return stream;
}

describe('WebhookStream', () => {
  it('generates exactly `count` webhooks, even when an action yields two (cancel + update)', async () => {
    const engine = new WebhookDeliveryEngine(instant, { concurrency: 8, retryDelaysMs: [] });
    const stream = track(
      new WebhookStream(
        's1',
        config({ count: 101, mix: { 'orders/create': 1, 'orders/cancelled': 3 } }),
        engine,
      ),
    );
    stream.start();
    await stream.done;
    expect(stream.status()).toMatchObject({
      state: 'completed',
      stats: { generated: 101, submitted: 101, delivered: 101 },
    });
    expect(stream.status().finishedAt).not.toBeNull();
  });

  it('paces generation by rate against its clock', () => {
    let now = 1_000_000;
    const engine = new WebhookDeliveryEngine(instant, { concurrency: 8, retryDelaysMs: [] });
    const stream = track(
      new WebhookStream('s2', config({ ratePerSecond: 10, durationMs: 60_000 }), engine, {
        clock: () => now,
      }),
    );
    stream.start();
    expect(stream.stats.snapshot().generated).toBe(1);
    now += 2_000;
    (stream as unknown as { tick(): void }).tick();
    expect(stream.stats.snapshot().generated).toBe(21);
    stream.stop();
    expect(stream.status().state).toBe('stopped');
  });

  it('pauses while too many of its deliveries are unsettled: a counted run waits, an open one skips', async () => {
    // A receiver that never answers: everything stays in flight or queued.
    const hanging: WebhookSender = { post: () => new Promise<AttemptOutcome>(() => undefined) };
    // One engine each, so which stream's deliveries took the two in-flight places is fixed.
    const engine = () => new WebhookDeliveryEngine(hanging, { concurrency: 2, retryDelaysMs: [] });
    // Driven by a fake clock so a loaded machine cannot change how many slots opened.
    let now = 5_000_000;
    const clock = () => now;
    const counted = track(
      new WebhookStream('s3', config({ count: 500, maxPending: 25 }), engine(), { clock }),
    );
    const open = track(
      new WebhookStream('s4', config({ durationMs: 60_000, maxPending: 25 }), engine(), {
        clock,
      }),
    );
    counted.start();
    open.start();
    for (let step = 0; step < 10; step++) {
      now += 10; // 10 ms at 10,000/s: 100 new slots per stream per step
      for (const stream of [counted, open]) (stream as unknown as { tick(): void }).tick();
    }
    await new Promise((resolve) => setImmediate(resolve)); // let the engine start its two sends
    // An action may yield two webhooks (cancel + update), so the cap can be passed by one.
    expect(counted.status().stats.submitted).toBeGreaterThanOrEqual(25);
    expect(counted.status().stats.submitted).toBeLessThanOrEqual(26);
    expect(counted.status().skippedForBackpressure).toBe(0);
    expect(open.status().stats.submitted).toBeLessThanOrEqual(26);
    expect(open.status().skippedForBackpressure).toBeGreaterThan(100);
    counted.stop();
    open.stop();
    // Two were in flight (concurrency 2); the rest were queued and are dropped.
    expect(counted.status().stats.cancelled).toBe(counted.status().stats.submitted - 2);
  });
});
