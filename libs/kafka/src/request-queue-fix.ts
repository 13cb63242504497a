/**
 * Fixes for kafkajs 2.2.4's idle timers, applied once when this library is loaded: the busy-loop
 * below, and the request-timeout check further down (`installRequestTimeoutCheckIdleFix`).
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

/**
 * The second idle timer of every connection: its request-timeout check. kafkajs arms it when the
 * connection opens, as a 100 ms interval (`min(requestTimeout, 100)`) that runs until the
 * connection closes, looking for in-flight requests past their timeout — ten wake-ups a second
 * per connection with nothing in flight (a producer between sends, the seed broker's connection,
 * an admin client). Patched: the same check, at the same period, but armed only while a request
 * is in flight and disarmed by the first check that finds none. Requests still time out exactly
 * as before; a connection with a fetch always in flight (a consumer's) keeps its interval.
 */
interface TimeoutCheckQueue {
  enforceRequestTimeout: boolean;
  requestTimeout: number;
  inflight: Map<number, { sentAt: number; requestTimeout: number; timeoutRequest(): void }>;
  requestTimeoutIntervalId: NodeJS.Timeout | null | undefined;
  isConnected(): boolean;
  destroy(): void;
  [ENFORCING]?: boolean;
}

interface TimeoutCheckPrototype {
  scheduleRequestTimeoutCheck(this: TimeoutCheckQueue): void;
  sendSocketRequest(this: TimeoutCheckQueue, request: unknown): void;
  destroy(this: TimeoutCheckQueue): void;
  [TIMEOUT_FIXED]?: true;
}

const TIMEOUT_FIXED = Symbol.for('shopwire.kafkajs.requestTimeoutCheckIdleFix');
const ENFORCING = Symbol.for('shopwire.kafkajs.requestTimeoutCheckEnforcing');

/** Arms the check if requests are in flight and it is not armed (kafkajs's own loop body). */
function armTimeoutCheck(queue: TimeoutCheckQueue): void {
  if (!queue[ENFORCING] || queue.requestTimeoutIntervalId || queue.inflight.size === 0) return;
  const timer = setInterval(
    () => {
      queue.inflight.forEach((request) => {
        if (Date.now() - request.sentAt > request.requestTimeout) request.timeoutRequest();
      });
      if (!queue.isConnected()) queue.destroy();
      else if (queue.inflight.size === 0) {
        clearInterval(timer);
        queue.requestTimeoutIntervalId = null;
      }
    },
    Math.min(queue.requestTimeout, 100),
  );
  queue.requestTimeoutIntervalId = timer;
}

/** Installs the request-timeout fix (idempotent); false when kafkajs's internals moved. */
export function installRequestTimeoutCheckIdleFix(): boolean {
  const RequestQueue = kafkajsRequestQueue();
  if (!RequestQueue) return false;
  const prototype = RequestQueue.prototype as unknown as TimeoutCheckPrototype;
  if (prototype[TIMEOUT_FIXED]) return true;
  if (
    typeof prototype.scheduleRequestTimeoutCheck !== 'function' ||
    typeof prototype.sendSocketRequest !== 'function' ||
    typeof prototype.destroy !== 'function'
  )
    return false;
  const { sendSocketRequest, destroy } = prototype;
  // Called when the connection opens: from now on requests are timed (the check itself waits
  // for the first one in flight).
  prototype.scheduleRequestTimeoutCheck = function scheduleRequestTimeoutCheck() {
    this.destroy();
    this[ENFORCING] = this.enforceRequestTimeout;
    armTimeoutCheck(this);
  };
  prototype.sendSocketRequest = function patchedSendSocketRequest(request) {
    sendSocketRequest.call(this, request);
    armTimeoutCheck(this);
  };
  // Closed (or about to be re-armed): no check until the connection opens again, as before.
  prototype.destroy = function patchedDestroy() {
    destroy.call(this);
    this.requestTimeoutIntervalId = null;
    this[ENFORCING] = false;
  };
  prototype[TIMEOUT_FIXED] = true;
  return true;
}

export const requestQueueIdleFixInstalled =
  installRequestQueueIdleFix() && installRequestTimeoutCheckIdleFix();
