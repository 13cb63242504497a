import { kafkajsRequestQueue, requestQueueIdleFixInstalled } from './request-queue-fix';

// The real kafkajs RequestQueue class, with the fix installed; no broker: requests are fakes
// whose "send" is recorded, and responses are fed back by hand.
type Queue = {
  pending: unknown[];
  inflight: Map<number, unknown>;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  push(request: unknown): void;
  maybeThrottle(ms: number): void;
  checkPendingRequests(): void;
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void;
  destroy(): void;
  scheduleRequestTimeoutCheck(): void;
  requestTimeoutIntervalId: NodeJS.Timeout | null | undefined;
};

const silent = { debug: () => undefined, warn: () => undefined, error: () => undefined };

function queue(maxInFlightRequests: number | null = null, enforceRequestTimeout = false): Queue {
  const RequestQueue = kafkajsRequestQueue() as unknown as new (options: object) => Queue;
  return new RequestQueue({
    maxInFlightRequests,
    requestTimeout: 30_000,
    enforceRequestTimeout,
    clientId: 'spec',
    broker: 'spec:9092',
    logger: silent,
  });
}

function request(correlationId: number, sent: number[], rejected: unknown[] = []) {
  return {
    entry: {
      correlationId,
      resolve: () => undefined,
      reject: (error: unknown) => rejected.push(error),
    },
    expectResponse: true,
    sendRequest: () => sent.push(correlationId),
  };
}

describe('kafkajs RequestQueue idle fix', () => {
  afterEach(() => jest.useRealTimers());

  it('is installed (fails after a kafkajs upgrade that moved its internals: re-check the fix)', () => {
    expect(requestQueueIdleFixInstalled).toBe(true);
  });

  it('arms no timer when nothing is pending (unfixed, every check re-armed a ~0 ms timer)', () => {
    const q = queue();
    q.checkPendingRequests();
    expect(q.throttleCheckTimeoutId).toBeNull();
    const sent: number[] = [];
    q.push(request(1, sent));
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1]);
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still sends requests queued behind a broker-requested throttle, then goes quiet', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const q = queue();
    const sent: number[] = [];
    q.maybeThrottle(50);
    q.push(request(1, sent));
    q.push(request(2, sent));
    expect(sent).toEqual([]);
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    jest.advanceTimersByTime(60);
    expect(sent).toEqual([1, 2]);
    expect(q.pending).toHaveLength(0);
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('still sends a request queued behind the in-flight limit when a response frees a slot', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const q = queue(1);
    const sent: number[] = [];
    q.push(request(1, sent));
    q.push(request(2, sent));
    expect(sent).toEqual([1]);
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    expect(sent).toEqual([1, 2]);
    q.fulfillRequest({ correlationId: 2, payload: Buffer.alloc(0), size: 0 });
    expect(q.inflight.size).toBe(0);
    // Queuing request 2 armed one 10 ms check; it fires once, finds nothing, and is not re-armed.
    jest.advanceTimersByTime(20);
    expect(q.throttleCheckTimeoutId).toBeNull();
    q.destroy();
  });

  it('arms no request-timeout check while nothing is in flight (unfixed: a 100 ms interval)', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const q = queue(null, true);
    q.scheduleRequestTimeoutCheck(); // what the connection does when it opens
    expect(q.requestTimeoutIntervalId).toBeFalsy();
    const sent: number[] = [];
    q.push(request(1, sent));
    expect(q.requestTimeoutIntervalId).toBeTruthy();
    q.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 });
    // The next check finds nothing in flight and disarms itself.
    jest.advanceTimersByTime(100);
    expect(q.requestTimeoutIntervalId).toBeNull();
    q.destroy();
  });

  it('still times out a request that gets no answer, within one check of its timeout', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const q = queue(null, true);
    q.scheduleRequestTimeoutCheck();
    const sent: number[] = [];
    const rejected: unknown[] = [];
    q.push(request(1, sent, rejected));
    jest.advanceTimersByTime(29_900);
    expect(rejected).toHaveLength(0);
    jest.advanceTimersByTime(200);
    expect(rejected).toHaveLength(1);
    expect(q.inflight.size).toBe(0);
    jest.advanceTimersByTime(100);
    expect(q.requestTimeoutIntervalId).toBeNull();
    q.destroy();
  });

  it('times nothing once the connection closed (destroy), until it opens again', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const q = queue(null, true);
    q.scheduleRequestTimeoutCheck();
    q.destroy();
    q.push(request(1, []));
    expect(q.requestTimeoutIntervalId).toBeFalsy();
    q.scheduleRequestTimeoutCheck();
    expect(q.requestTimeoutIntervalId).toBeTruthy();
    q.destroy();
  });
});
