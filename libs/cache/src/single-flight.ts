/**
 * In-process single flight: concurrent callers for the same key share one pending promise, so a
 * miss storm on one key costs the origin one call per process. The entry is removed when the
 * promise settles, so nothing (not even an error) is remembered beyond the flight itself.
 *
 * A flight carries a tag (the cache uses the purge generation its starter read); a caller joins
 * only a flight whose tag it accepts, and a newer flight for the key replaces the older one.
 */
export class SingleFlight<T, Tag = undefined> {
  private readonly flights = new Map<string, { tag: Tag; promise: Promise<T> }>();

  get size(): number {
    return this.flights.size;
  }

  /** The pending promise for `key`, if one is in the air and `accept` takes its tag. */
  joinable(key: string, accept: (tag: Tag) => boolean = () => true): Promise<T> | undefined {
    const flight = this.flights.get(key);
    return flight && accept(flight.tag) ? flight.promise : undefined;
  }

  /** Registers `promise` as the flight for `key` until it settles. */
  track(key: string, promise: Promise<T>, tag?: Tag): Promise<T> {
    this.flights.set(key, { tag: tag as Tag, promise });
    const clear = () => {
      if (this.flights.get(key)?.promise === promise) this.flights.delete(key);
    };
    promise.then(clear, clear);
    return promise;
  }

  /** Joins the flight for `key`, or starts one with `work`. */
  do(key: string, work: () => Promise<T>): Promise<T> {
    return this.joinable(key) ?? this.track(key, work());
  }
}
