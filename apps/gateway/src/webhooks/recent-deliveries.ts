/**
 * Webhook ids this replica has recently put into Kafka, so a repeated delivery (Shopify sends
 * duplicates even to fast apps) is answered 200 without a second write. Only a cheap optimisation:
 * another replica or a restart forgets, and the consumers' inboxes deduplicate regardless.
 *
 * A delivery still in flight is remembered as its pending write, so a duplicate arriving during
 * it waits for the same acknowledgement instead of racing a second copy into Kafka. Bounded by
 * count, evicting the oldest (a Map iterates in insertion order).
 */
export class RecentDeliveries {
  private readonly entries = new Map<string, Promise<void> | true>();

  constructor(private readonly capacity: number) {}

  get(id: string): Promise<void> | true | undefined {
    return this.entries.get(id);
  }

  /** Remembers a pending write; forgets it if the write fails, so a retry writes again. */
  track(id: string, write: Promise<void>): Promise<void> {
    this.entries.set(id, write);
    this.evict();
    write.then(
      () => {
        if (this.entries.get(id) === write) this.entries.set(id, true);
      },
      () => {
        if (this.entries.get(id) === write) this.entries.delete(id);
      },
    );
    return write;
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(): void {
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
