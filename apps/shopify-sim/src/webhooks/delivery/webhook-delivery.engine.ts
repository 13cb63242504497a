import { performance } from 'node:perf_hooks';
import type { DeliveryObserver, DeliveryResult, DeliveryState } from './delivery-stats';
import type { AttemptOutcome } from './webhook-delivery.client';
import type { WebhookDelivery } from './webhook-envelope';

/** What the engine needs from an HTTP client; the real one is `WebhookDeliveryClient`. */
export interface WebhookSender {
  post(url: string, headers: Record<string, string>, body: Buffer): Promise<AttemptOutcome>;
}

export interface DeliveryEngineOptions {
  /** Requests in flight at once, across all streams. */
  concurrency: number;
  /** Delay before each retry; its length is the number of retries (8 for Shopify). */
  retryDelaysMs: readonly number[];
}

export interface DeliverySubmission {
  url: string;
  delivery: WebhookDelivery;
  /** Holds the first attempt back (fault injection: a late webhook). */
  initialDelayMs?: number;
  /** Groups deliveries (a stream id) for cancellation and idle tracking. */
  tag?: string;
  observer?: DeliveryObserver;
  /** Told how the delivery ended (the simulator removes a subscription that keeps failing). */
  onSettled?: (result: DeliveryResult) => void;
}

interface Job {
  submission: DeliverySubmission;
  observers: DeliveryObserver[];
  attempts: number;
  state: DeliveryState;
  timer?: NodeJS.Timeout;
  cancelled: boolean;
}

/**
 * Shopify's delivery loop, without Nest so the CLI and tests use it as is: a FIFO queue drained
 * by at most `concurrency` requests, each failed attempt rescheduled after the next delay of the
 * retry schedule with the same delivery (bytes, headers, webhook id), and given up after the last.
 */
export class WebhookDeliveryEngine {
  private queue: (Job | undefined)[] = [];
  private queueHead = 0;
  private active = 0;
  private readonly timed = new Set<Job>();
  private readonly running = new Set<Job>();
  private readonly pendingByTag = new Map<string, number>();
  private pendingTotal = 0;
  private idleWaiters: { tag?: string; resolve: () => void }[] = [];
  private closed = false;

  constructor(
    private readonly sender: WebhookSender,
    private readonly options: DeliveryEngineOptions,
    private readonly observers: DeliveryObserver[] = [],
  ) {
    if (options.concurrency < 1) throw new Error('concurrency must be at least 1');
  }

  submit(submission: DeliverySubmission): void {
    if (this.closed) throw new Error('the delivery engine is closed');
    const observers = submission.observer
      ? [...this.observers, submission.observer]
      : this.observers;
    const job: Job = { submission, observers, attempts: 0, state: 'queued', cancelled: false };
    this.pendingTotal++;
    if (submission.tag)
      this.pendingByTag.set(submission.tag, (this.pendingByTag.get(submission.tag) ?? 0) + 1);
    for (const o of observers) o.submitted(submission.delivery);
    if (submission.initialDelayMs && submission.initialDelayMs > 0) {
      this.wait(job, 'delayed', submission.initialDelayMs);
    } else {
      this.enqueue(job, null);
    }
  }

  /** Deliveries waiting in the queue (not delayed, not waiting for a retry). */
  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  pending(tag?: string): number {
    return tag === undefined ? this.pendingTotal : (this.pendingByTag.get(tag) ?? 0);
  }

  /** Resolves once nothing submitted (with `tag`, if given) is waiting, queued or in flight. */
  whenIdle(tag?: string): Promise<void> {
    if (this.pending(tag) === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push({ tag, resolve }));
  }

  /** Drops every unsettled delivery with `tag`; in-flight attempts finish but are not retried. */
  cancel(tag?: string): number {
    let dropped = 0;
    const matches = (job: Job) => tag === undefined || job.submission.tag === tag;
    const kept: Job[] = [];
    for (let i = this.queueHead; i < this.queue.length; i++) {
      const job = this.queue[i];
      if (!job) continue;
      if (matches(job)) {
        this.settle(job, 'cancelled');
        dropped++;
      } else kept.push(job);
    }
    this.queue = kept;
    this.queueHead = 0;
    for (const job of [...this.timed]) {
      if (!matches(job)) continue;
      clearTimeout(job.timer);
      this.timed.delete(job);
      this.settle(job, 'cancelled');
      dropped++;
    }
    for (const job of this.running) if (matches(job)) job.cancelled = true;
    return dropped;
  }

  /** Cancels everything and waits for in-flight attempts to finish. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancel();
    await this.whenIdle();
  }

  private enqueue(job: Job, from: DeliveryState | null): void {
    this.transition(job, from, 'queued');
    this.queue.push(job);
    this.pump();
  }

  private wait(job: Job, state: 'delayed' | 'waiting_retry', ms: number): void {
    // A first delay starts from nothing; a retry wait follows the failed attempt.
    this.transition(job, state === 'delayed' ? null : job.state, state);
    job.timer = setTimeout(() => {
      this.timed.delete(job);
      job.timer = undefined;
      this.enqueue(job, state);
    }, ms);
    this.timed.add(job);
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.queueHead < this.queue.length) {
      const job = this.queue[this.queueHead];
      this.queue[this.queueHead] = undefined;
      this.queueHead++;
      if (job) void this.attempt(job);
    }
    // Compact the consumed prefix now and then instead of shifting on every dequeue.
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private async attempt(job: Job): Promise<void> {
    this.active++;
    this.running.add(job);
    this.transition(job, 'queued', 'in_flight');
    const { delivery, url } = job.submission;
    const started = performance.now();
    let outcome: AttemptOutcome;
    try {
      outcome = await this.sender.post(url, delivery.headers, delivery.body);
    } catch {
      outcome = { ok: false, reason: 'connection_error' };
    }
    const latencyMs = performance.now() - started;
    job.attempts++;
    this.running.delete(job);
    this.active--;
    for (const o of job.observers) o.attempted(delivery, job.attempts, outcome, latencyMs);

    const retriesDone = job.attempts - 1;
    if (outcome.ok) this.settle(job, 'delivered');
    else if (job.cancelled || this.closed) this.settle(job, 'cancelled');
    else if (retriesDone < this.options.retryDelaysMs.length) {
      this.wait(job, 'waiting_retry', this.options.retryDelaysMs[retriesDone]!);
    } else this.settle(job, 'failed');
    this.pump();
  }

  private transition(job: Job, from: DeliveryState | null, to: DeliveryState | null): void {
    if (to) job.state = to;
    for (const o of job.observers) o.stateChanged(from, to);
  }

  private settle(job: Job, result: DeliveryResult): void {
    this.transition(job, job.state, null);
    for (const o of job.observers) o.settled(job.submission.delivery, result, job.attempts);
    job.submission.onSettled?.(result);
    this.pendingTotal--;
    const tag = job.submission.tag;
    if (tag) {
      const left = (this.pendingByTag.get(tag) ?? 1) - 1;
      if (left === 0) this.pendingByTag.delete(tag);
      else this.pendingByTag.set(tag, left);
    }
    this.notifyIdle();
  }

  private notifyIdle(): void {
    if (this.idleWaiters.length === 0) return;
    const still: typeof this.idleWaiters = [];
    for (const waiter of this.idleWaiters) {
      if (this.pending(waiter.tag) === 0) waiter.resolve();
      else still.push(waiter);
    }
    this.idleWaiters = still;
  }
}
