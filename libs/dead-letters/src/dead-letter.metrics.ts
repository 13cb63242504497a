import { Counter, Gauge, type Registry } from 'prom-client';
import type { DeadLetter } from './dead-letter';
import type { PendingDepth } from './dlq-index';

/**
 * Replays and the DLQ depth per group. The depth gauge is refreshed whenever the dead letters
 * are listed (the API, the ops CLI, or `DeadLettersService`'s periodic refresh): scanning the
 * DLQ topics on every Prometheus scrape would make scrapes slow.
 */
export class DeadLetterMetrics {
  readonly replayed: Counter<'group'>;
  readonly depth: Gauge<'group'>;
  readonly oldestPending: Gauge<'group'>;
  private readonly seen = new Set<string>();

  constructor(registry: Registry) {
    this.replayed =
      (registry.getSingleMetric('shopwire_dead_letters_replayed_total') as Counter<'group'>) ??
      new Counter({
        name: 'shopwire_dead_letters_replayed_total',
        help: 'Dead letters republished to their group retry topic',
        labelNames: ['group'],
        registers: [registry],
      });
    this.depth =
      (registry.getSingleMetric('shopwire_dead_letters_pending') as Gauge<'group'>) ??
      new Gauge({
        name: 'shopwire_dead_letters_pending',
        help: 'Dead letters not yet replayed, per group, as of the last scan of the DLQ topics',
        labelNames: ['group'],
        registers: [registry],
      });
    // A timestamp, not an age: an age would freeze between scans, while `time() - this` keeps
    // growing, so the alert before the DLQ retention deletes an unreviewed letter fires on time.
    this.oldestPending =
      (registry.getSingleMetric(
        'shopwire_dead_letters_oldest_pending_timestamp_seconds',
      ) as Gauge<'group'>) ??
      new Gauge({
        name: 'shopwire_dead_letters_oldest_pending_timestamp_seconds',
        help: 'When the oldest dead letter not yet replayed was dead-lettered (Unix seconds), per group; absent when none is pending',
        labelNames: ['group'],
        registers: [registry],
      });
  }

  /** From the index's per-group counts (`DeadLetterStore`). */
  observePending(depth: ReadonlyMap<string, PendingDepth>): void {
    const groups = new Set([...this.seen, ...depth.keys()]);
    for (const group of groups) {
      this.seen.add(group);
      const entry = depth.get(group);
      this.depth.set({ group }, entry?.count ?? 0);
      if (entry?.oldestAt == null) this.oldestPending.remove({ group });
      else this.oldestPending.set({ group }, entry.oldestAt / 1000);
    }
  }

  observeDepth(letters: readonly DeadLetter[]): void {
    const pending = new Map<string, number>();
    const oldest = new Map<string, number>();
    for (const group of this.seen) pending.set(group, 0);
    for (const letter of letters) {
      if (letter.replayedAt !== null) continue;
      pending.set(letter.group, (pending.get(letter.group) ?? 0) + 1);
      const at = Date.parse(letter.deadLetteredAt);
      if (!Number.isNaN(at) && at < (oldest.get(letter.group) ?? Infinity))
        oldest.set(letter.group, at);
    }
    for (const [group, count] of pending) {
      this.seen.add(group);
      this.depth.set({ group }, count);
      const at = oldest.get(group);
      if (at === undefined) this.oldestPending.remove({ group });
      else this.oldestPending.set({ group }, at / 1000);
    }
  }
}
