import { SeededRandom } from '../../random/seeded-random';
import { DeliveryStats, type DeliveryStatsSnapshot } from '../delivery/delivery-stats';
import { FaultInjector, type FaultOptions, type PlannedDelivery } from '../delivery/fault-injector';
import type { DeliveryTarget } from '../delivery/delivery-routes';
import type { WebhookDeliveryEngine } from '../delivery/webhook-delivery.engine';
import { buildDelivery, chooseSigningKey, type SigningSecrets } from '../delivery/webhook-envelope';
import { WebhookTrafficGenerator } from './webhook-traffic.generator';
import type { TopicMix } from './webhook-topics';

export interface StreamConfig {
  /** Where deliveries go unless `route` says otherwise. */
  url: string;
  /**
   * Per webhook, where it goes (one delivery per target; none: not subscribed, not sent).
   * Without it every webhook goes to `url` (the CLI).
   */
  route?: (shop: string, topic: string) => DeliveryTarget[];
  /** Unique webhooks per second (duplicates come on top). */
  ratePerSecond: number;
  /** Stop after this many unique webhooks… */
  count?: number;
  /** …or after this long; without either the stream runs until stopped. */
  durationMs?: number;
  shops: readonly string[];
  mix?: TopicMix;
  faults: FaultOptions;
  signing: { oldSecretProbability: number; wrongSecretProbability: number };
  seed: string | number;
  apiVersion: string;
  secrets: SigningSecrets;
  /**
   * Generation pauses while this many of the stream's deliveries are unsettled (queued, in
   * flight or waiting for a retry). Shopify would keep queueing; a simulator facing a dead
   * gateway for hours must not grow without bound. Default 20,000 (~80 MB of bodies).
   */
  maxPending?: number;
}

export type StreamState = 'running' | 'draining' | 'completed' | 'stopped';

export interface StreamStatus {
  id: string;
  state: StreamState;
  startedAt: string;
  finishedAt: string | null;
  /** Webhooks the pacing wanted but the backlog did not allow. */
  skippedForBackpressure: number;
  stats: DeliveryStatsSnapshot;
}

const TICK_MS = 20;

/**
 * Paces generated traffic into the delivery engine at a fixed rate, through the fault injector.
 * Owns its statistics; finishes when its last delivery is settled (delivered or given up).
 */
export class WebhookStream {
  readonly stats = new DeliveryStats();
  readonly done: Promise<void>;
  private state: StreamState = 'running';
  private readonly startedAt: number;
  private finishedAt: number | null = null;
  private readonly generator: WebhookTrafficGenerator;
  private readonly rng: SeededRandom;
  private readonly faults: FaultInjector;
  private timer?: NodeJS.Timeout;
  private generated = 0;
  private skipped = 0;
  private resolveDone!: () => void;
  private readonly clock: () => number;

  constructor(
    readonly id: string,
    private readonly config: StreamConfig,
    private readonly engine: WebhookDeliveryEngine,
    private readonly hooks: {
      clock?: () => number;
      onGenerated?: () => void;
      onNotSubscribed?: () => void;
      /** A delivery for an API subscription was given up after its last retry. */
      onSubscriptionFailed?: (shop: string, subscriptionId: number) => void;
    } = {},
  ) {
    if (!(config.ratePerSecond > 0)) throw new Error('ratePerSecond must be > 0');
    this.clock = hooks.clock ?? Date.now;
    this.startedAt = this.clock();
    this.generator = new WebhookTrafficGenerator(
      { seed: `${config.seed}:traffic`, shops: config.shops, mix: config.mix },
      new Date(this.startedAt),
    );
    this.rng = new SeededRandom(`${config.seed}:delivery`);
    this.faults = new FaultInjector(this.rng.fork('faults'), config.faults);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  start(): void {
    this.tick();
    if (this.state === 'running') this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  /** Stops generating and drops this stream's queued deliveries and pending retries. */
  stop(): void {
    if (this.state === 'completed' || this.state === 'stopped') return;
    clearInterval(this.timer);
    this.state = 'stopped';
    this.engine.cancel(this.id);
    this.finish('stopped');
  }

  status(): StreamStatus {
    return {
      id: this.id,
      state: this.state,
      startedAt: new Date(this.startedAt).toISOString(),
      finishedAt: this.finishedAt === null ? null : new Date(this.finishedAt).toISOString(),
      skippedForBackpressure: this.skipped,
      stats: this.stats.snapshot(),
    };
  }

  get isFinished(): boolean {
    return this.state === 'completed' || this.state === 'stopped';
  }

  private tick(): void {
    if (this.state !== 'running') return;
    const now = this.clock();
    const elapsed = now - this.startedAt;
    const { count, durationMs, ratePerSecond } = this.config;
    const timeUp = durationMs !== undefined && elapsed >= durationMs;
    // Slots the clock has opened, minus those given up to backpressure: webhooks due by now.
    let due =
      Math.floor(((timeUp ? durationMs : elapsed) / 1000) * ratePerSecond) + 1 - this.skipped;
    if (count !== undefined) due = Math.min(due, count);
    const maxPending = this.config.maxPending ?? 20_000;

    while (this.generated < due) {
      if (this.engine.pending(this.id) >= maxPending) {
        // The receiver is the bottleneck. A counted run waits (it owes exactly `count`); an
        // open-ended one gives the slots up rather than bursting to catch up later.
        if (count === undefined) this.skipped += due - this.generated;
        break;
      }
      const events = this.generator.next(new Date(now)).slice(0, due - this.generated);
      for (const event of events) {
        const targets = this.config.route?.(event.shopDomain, event.topic) ?? [undefined];
        for (const target of targets) {
          // Each endpoint gets its own webhook id, as each subscription does at Shopify.
          const delivery = buildDelivery(event, this.rng.uuid(), {
            apiVersion: target?.apiVersion ?? this.config.apiVersion,
            secrets: this.config.secrets,
            signWith: chooseSigningKey(
              this.rng,
              this.config.signing.oldSecretProbability,
              this.config.signing.wrongSecretProbability,
            ),
          });
          if (target) {
            delivery.url = target.url;
            delivery.subscriptionId = target.subscriptionId;
          }
          this.send(this.faults.push(delivery, now));
        }
        this.generated++;
        this.stats.recordGenerated();
        this.hooks.onGenerated?.();
        if (targets.length === 0) {
          this.stats.recordNotSubscribed();
          this.hooks.onNotSubscribed?.();
        }
      }
    }
    this.send(this.faults.tick(now));

    const exhausted = (count !== undefined && this.generated >= count) || timeUp;
    if (exhausted) this.drain();
  }

  private send(planned: PlannedDelivery[]): void {
    for (const { delivery, initialDelayMs } of planned) {
      const { subscriptionId } = delivery;
      this.engine.submit({
        url: delivery.url ?? this.config.url,
        delivery,
        initialDelayMs,
        tag: this.id,
        observer: this.stats,
        onSettled:
          subscriptionId === undefined
            ? undefined
            : (result) => {
                if (result === 'failed')
                  this.hooks.onSubscriptionFailed?.(delivery.shopDomain, subscriptionId);
              },
      });
    }
  }

  private drain(): void {
    clearInterval(this.timer);
    this.send(this.faults.flush());
    this.state = 'draining';
    void this.engine.whenIdle(this.id).then(() => {
      if (this.state === 'draining') this.finish('completed');
    });
  }

  private finish(state: 'completed' | 'stopped'): void {
    this.state = state;
    this.finishedAt = this.clock();
    this.resolveDone();
  }
}
