/**
 * A fix for kafkajs 2.2.4's idle busy-loop, applied once when this library is loaded.
 *
 * Every broker connection has a RequestQueue. After each check of its pending requests it arms a
 * timer for the next check — even when nothing is pending, and then with the delay
 * `throttledUntil - now`, which is negative when no throttle is in force. The timer fires at
 * once, checks nothing, arms itself again: each connection wakes the event loop about every
 * millisecond for as long as it is open (reported upstream as tulios/kafkajs#1556, unfixed in the
 * last release). Measured here on an idle order service: 1,500 event-loop wake-ups per second
 * and 6 % of a core on its main thread, in every process of the pipeline, busy or not.
 *
 * With nothing pending there is nothing to check: `push` arms the timer itself whenever it has to
 * queue a request (in-flight limit reached, or the broker asked us to throttle), and a response
 * or a timeout checks the queue directly. So the fix only skips arming the timer while the queue
 * is empty; with requests pending the original code runs unchanged.
 */

interface RequestQueuePrototype {
  scheduleCheckPendingRequests(this: { pending: unknown[] }): void;
  [FIXED]?: true;
}

const FIXED = Symbol.for('shopwire.kafkajs.requestQueueIdleFix');

/** The RequestQueue class of the kafkajs that `kafkajs` resolves to (an internal module). */
export function kafkajsRequestQueue(): { prototype: RequestQueuePrototype } | null {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped internal module
    const RequestQueue = require('kafkajs/src/network/requestQueue') as unknown;
    if (typeof RequestQueue !== 'function') return null;
    const prototype = (RequestQueue as { prototype: RequestQueuePrototype }).prototype;
    return typeof prototype.scheduleCheckPendingRequests === 'function'
      ? (RequestQueue as { prototype: RequestQueuePrototype })
      : null;
  } catch {
    return null;
  }
}

/**
 * Installs the fix (idempotent). Returns false when kafkajs's internals no longer look as
 * expected — a kafkajs upgrade; the unit test then fails and says to re-check this file.
 */
export function installRequestQueueIdleFix(): boolean {
  const RequestQueue = kafkajsRequestQueue();
  if (!RequestQueue) return false;
  const prototype = RequestQueue.prototype;
  if (prototype[FIXED]) return true;
  const original = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: {
    pending: unknown[];
  }) {
    if (this.pending.length === 0) return;
    original.call(this);
  };
  prototype[FIXED] = true;
  return true;
}

export const requestQueueIdleFixInstalled = installRequestQueueIdleFix();
