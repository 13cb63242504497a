/** Shared by the batching producer and its lanes. */
export interface OutgoingMessage {
  topic: string;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

/** The write was not acknowledged by Kafka in time, or failed: the caller must not ack upstream. */
export class ProducerUnavailableError extends Error {
  override readonly name = 'ProducerUnavailableError';

  constructor(
    message: string,
    /** false when the message never left this process: then it is certainly not in Kafka. */
    readonly maybeWritten: boolean,
  ) {
    super(message);
  }
}

export interface BatchStats {
  messages: number;
  durationMs: number;
  ok: boolean;
}

export interface BatchingProducerOptions {
  /** Most messages in one produce request. */
  maxBatchMessages?: number;
  /**
   * Most payload bytes in one produce request (a single larger message still goes alone). Keeps
   * each partition's record batch under the topic's `max.message.bytes`, which the broker
   * enforces per batch, not per message.
   */
  maxBatchBytes?: number;
  /**
   * Extra wait before sending when the producer is idle, to gather more messages. 0 (default)
   * sends at once when idle; batches then form by themselves while a request is in flight.
   */
  lingerMs?: number;
  /** A `send` rejects if Kafka has not acknowledged the message within this time. */
  ackTimeoutMs?: number;
  onBatch?: (stats: BatchStats) => void;
  /**
   * Independent connections, each with its own idempotent producer and one request in flight.
   * A key always uses the same lane, so one resource's messages stay in order.
   */
  lanes?: number;
}
