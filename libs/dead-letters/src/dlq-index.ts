import type { Kafka } from 'kafkajs';
import { decodeDlqEntry } from './dead-letter';
import { partitionRanges, readWindows, type ReadWindow } from './dlq-reader';

/** Pending dead letters of one group: how many, and when the oldest was dead-lettered. */
export interface PendingDepth {
  count: number;
  oldestAt: number | null;
}

/**
 * What a page of dead letters cannot tell by itself: whether a letter was replayed (its replay
 * marker may sit anywhere later in the DLQ topic) and how many are pending per group. Built by
 * reading each DLQ partition once, then only what was written since (positions are kept), and
 * holding only replay markers (id → time) and each pending letter's id and time — never payloads
 * or headers. Calls are serialised, so concurrent requests share one catch-up.
 */
export class DlqIndex {
  private readonly positions = new Map<string, bigint>();
  private readonly replayed = new Map<string, string>();
  private readonly pending = new Map<string, Map<string, number>>();
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly kafka: Kafka) {}

  /** Reads what the topics gained since the last call. */
  catchUp(topics: readonly string[]): Promise<void> {
    const next = this.chain.then(() => this.read(topics));
    this.chain = next.catch(() => undefined);
    return next;
  }

  replayedAt(id: string): string | null {
    return this.replayed.get(id) ?? null;
  }

  depth(): Map<string, PendingDepth> {
    const result = new Map<string, PendingDepth>();
    for (const [group, letters] of this.pending) {
      let oldestAt: number | null = null;
      for (const at of letters.values()) if (oldestAt === null || at < oldestAt) oldestAt = at;
      result.set(group, { count: letters.size, oldestAt });
    }
    return result;
  }

  private async read(topics: readonly string[]): Promise<void> {
    const windows: ReadWindow[] = [];
    for (const range of await partitionRanges(this.kafka, topics)) {
      const key = `${range.topic}:${range.partition}`;
      const from = this.positions.get(key) ?? range.low;
      const start = from < range.low ? range.low : from;
      if (range.high > start) windows.push({ ...range, from: start, to: range.high });
    }
    await readWindows(this.kafka, windows, ({ topic, partition, message }) => {
      const entry = decodeDlqEntry(topic, partition, message);
      if (entry.kind === 'marker') {
        const previous = this.replayed.get(entry.replayOf);
        if (!previous || previous < entry.replayedAt)
          this.replayed.set(entry.replayOf, entry.replayedAt);
        for (const letters of this.pending.values()) letters.delete(entry.replayOf);
      } else if (entry.kind === 'letter' && !this.replayed.has(entry.letter.id)) {
        let letters = this.pending.get(entry.letter.group);
        if (!letters) this.pending.set(entry.letter.group, (letters = new Map()));
        const at = Date.parse(entry.letter.deadLetteredAt);
        letters.set(entry.letter.id, Number.isNaN(at) ? Date.now() : at);
      }
    });
    // Only once the whole read succeeded: a failed read is redone from the same positions.
    for (const window of windows)
      this.positions.set(`${window.topic}:${window.partition}`, window.to);
  }
}
