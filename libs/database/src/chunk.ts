import type { DataSource, EntityManager } from 'typeorm';
import { claimInbox, claimInboxBatch, claimKey, type InboxClaim } from './inbox';
import { isDataError, withSavepoint, withTransaction } from './transaction';

/**
 * How a handler applies one event of a chunk. The same handler code runs in both modes of
 * `applyChunk`; it must claim through `claim` and wrap each event's statements in `isolate`.
 */
export interface ChunkMode {
  /** True the first time an (consumer, event id) is claimed in this transaction and never before. */
  claim(consumer: string, eventId: string): Promise<boolean>;
  /**
   * One event's statements. If the database refuses its data (`isDataError`), the caller may
   * catch the error and reject just this event — the rest of the chunk still commits.
   */
  isolate<T>(name: string, work: () => Promise<T>): Promise<T>;
}

/**
 * Thrown out of a fast path when the chunk cannot be applied as a whole: one event's data was
 * refused, or (set-based handlers) the stored state moved under the handler's plan. The
 * transaction is rolled back and the chunk redone carefully, one event at a time.
 */
export class RedoCarefully extends Error {
  override readonly name = 'RedoCarefully';
  constructor(
    readonly original: unknown,
    message = 'an event was refused by the database; redoing the chunk with a savepoint per event',
  ) {
    super(message);
  }
}

/**
 * `ChunkMode.isolate` on a fast path: no savepoint, so a refused statement leaves the transaction
 * unusable — the attempt is given up (`RedoCarefully`) and the chunk redone carefully.
 */
export async function isolateWithoutSavepoint<T>(_name: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw isDataError(error) ? new RedoCarefully(error) : error;
  }
}

/**
 * Applies a chunk of events in one transaction, exactly once per inbox claim, in as few round
 * trips as the handler allows.
 *
 * Fast path: every claim the chunk needs is inserted in ONE statement up front, and events run
 * without savepoints — three round trips per event fewer than claiming and isolating each one.
 * If the database refuses one event's data, that transaction is rolled back whole and the chunk
 * is redone on the careful path: a savepoint and an inbox insert per event, so only the refused
 * event is rejected. Both paths run the same handler, so they cannot disagree on effects; a
 * claim the handler makes that was not announced in `claims` is inserted on its own.
 */
export async function applyChunk<T>(
  dataSource: DataSource,
  claims: readonly InboxClaim[],
  work: (manager: EntityManager, mode: ChunkMode) => Promise<T>,
): Promise<T> {
  try {
    return await withTransaction(dataSource, async (manager) => {
      const fresh = await claimInboxBatch(manager, claims);
      const announced = new Set(claims.map((c) => claimKey(c.consumer, c.eventId)));
      return work(manager, {
        claim: async (consumer, eventId) => {
          const key = claimKey(consumer, eventId);
          if (!announced.has(key)) return claimInbox(manager, consumer, eventId);
          // Taken once: a second occurrence in the same chunk is a duplicate.
          return fresh.delete(key);
        },
        isolate: isolateWithoutSavepoint,
      });
    });
  } catch (error) {
    if (!(error instanceof RedoCarefully)) throw error;
    return withTransaction(dataSource, (manager) =>
      work(manager, {
        claim: (consumer, eventId) => claimInbox(manager, consumer, eventId),
        isolate: (name, run) => withSavepoint(manager, name, run),
      }),
    );
  }
}

/**
 * How a set-based handler applies a chunk: `together` with a few multi-row statements for all of
 * its events, `oneByOne` as a plain `applyChunk` handler (claim and isolate per event).
 */
export interface ChunkPaths<T> {
  /**
   * The whole chunk at once. `claimed(consumer, eventId)` is true for the first occurrence of a
   * pair that no earlier transaction claimed (each pair must be in `claims`); later occurrences,
   * and pairs claimed before, are duplicates. Throw `RedoCarefully` to fall back to `oneByOne`.
   */
  together(
    manager: EntityManager,
    claimed: (consumer: string, eventId: string) => boolean,
  ): Promise<T>;
  /** The careful path, a savepoint per event: only a refused event is rejected. */
  oneByOne(manager: EntityManager, mode: ChunkMode): Promise<T>;
}

/**
 * `applyChunk` for a handler whose effects are set-based: one statement per table per chunk
 * instead of one per event. When Postgres refuses any of the chunk's data (a class 22/23 error),
 * or `together` throws `RedoCarefully`, the transaction is rolled back and the chunk redone by
 * `oneByOne` with a savepoint and an inbox insert per event, so one poisoned event neither blocks
 * nor loses the others.
 */
export async function applyChunkTogether<T>(
  dataSource: DataSource,
  claims: readonly InboxClaim[],
  paths: ChunkPaths<T>,
): Promise<T> {
  try {
    return await withTransaction(dataSource, async (manager) => {
      const fresh = await claimInboxBatch(manager, claims);
      try {
        return await paths.together(manager, (consumer, eventId) =>
          // Taken once: a second occurrence in the same chunk is a duplicate.
          fresh.delete(claimKey(consumer, eventId)),
        );
      } catch (error) {
        throw isDataError(error) ? new RedoCarefully(error) : error;
      }
    });
  } catch (error) {
    if (!(error instanceof RedoCarefully)) throw error;
    return withTransaction(dataSource, (manager) =>
      paths.oneByOne(manager, {
        claim: (consumer, eventId) => claimInbox(manager, consumer, eventId),
        isolate: (name, run) => withSavepoint(manager, name, run),
      }),
    );
  }
}
