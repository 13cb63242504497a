import type { KafkaMessage } from 'kafkajs';

/**
 * Thrown by a handler for a message that can never be applied however often it is retried (a
 * payload that does not parse, a reference that will never exist). The runner then skips the
 * in-place retries and hands the message straight to the retry topic (or, once its attempts are
 * spent, the dead-letter topic). The message must not quote payload data: it travels in headers.
 */
export class PermanentError extends Error {
  override readonly name: string = 'PermanentError';
}

/** The same thing under the name people look for when a single message is the culprit. */
export class PoisonMessageError extends PermanentError {
  override readonly name = 'PoisonMessageError';
}

/**
 * A message that cannot be read at all: its bytes do not decode, or its payload does not fit its
 * topic (a signed webhook whose body is not JSON, an order without an id). Unlike other permanent
 * failures it skips the retry rounds too and goes straight to the DLQ, its `reason` (a short code,
 * e.g. `json`, `envelope`, `payload`) in `x-shopwire-dead-letter-reason`. Thrown, or handed to
 * `ChunkContext.deadLetter` so the rest of the chunk still commits in one transaction. The message
 * must not quote payload data: it travels in headers.
 */
export class MalformedMessageError extends PermanentError {
  override readonly name = 'MalformedMessageError';
  constructor(
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Sets a message the handler cannot read aside for the DLQ (`ChunkContext.deadLetter`) with the
 * reason `malformed:<reason>`; false when the runner has no DLQ, and the caller skips and counts
 * it instead. `detail` goes into a header: describe, never quote the payload.
 */
export function deadLetterMalformed(
  context: { deadLetter?: (message: KafkaMessage, error: MalformedMessageError) => void },
  message: KafkaMessage,
  reason: string,
  detail: string = MALFORMED_DETAIL[reason] ?? `not readable (${reason})`,
): boolean {
  if (!context.deadLetter) return false;
  context.deadLetter(message, new MalformedMessageError(`malformed:${reason}`, detail));
  return true;
}

/** What the services' common reject reasons mean, for a dead letter's error message. */
const MALFORMED_DETAIL: Record<string, string> = {
  envelope: 'not a webhook envelope (headers missing or invalid)',
  json: 'payload is not valid JSON',
  payload: 'payload does not fit its topic',
  event: 'not a valid domain event for its topic',
  shop_domain: 'shop domain is not *.myshopify.com',
};

// Socket-level failures: the database or the broker is unreachable, not the message at fault.
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTFOUND',
  'EAI_AGAIN',
  // undici (HTTP clients of third parties) and nodemailer (SMTP): the peer is unreachable.
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'ECONNECTION',
  'ESOCKET',
  // opossum: the breaker is open, i.e. the dependency is known to be down — wait, don't park.
  'EOPENBREAKER',
]);

// Postgres: admin shutdown / crash shutdown / cannot connect now (57P01-03), too many
// connections (53300), and every connection exception (class 08).
const PG_INFRA_CODES = new Set(['57P01', '57P02', '57P03', '53300']);

// node-postgres and pg-pool report these without a code.
const INFRA_MESSAGES = [
  /connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
  /client has encountered a connection error/i,
  /cannot use a pool after calling end/i,
  /socket hang up/i,
];

// kafkajs names its errors; these mean the broker (not the message) is the problem.
const KAFKA_INFRA_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSLockTimeout',
  // Ours (BatchingProducer): the write was not acknowledged in time.
  'ProducerUnavailableError',
]);

/**
 * Whether an error says "the database or the broker is down", as opposed to "this message is
 * bad". Infrastructure failures are retried in place until they clear — sending a message to the
 * dead-letter topic because Postgres restarted would turn an outage into lost work. Looks through
 * TypeORM's `driverError`, `cause` chains and AggregateError (pg tries IPv4 and IPv6 at once).
 */
export function isInfrastructureError(error: unknown): boolean {
  return someInChain(error, (candidate) => {
    const { name, code, message } = candidate as {
      name?: unknown;
      code?: unknown;
      message?: unknown;
    };
    if (typeof name === 'string' && KAFKA_INFRA_NAMES.has(name)) return true;
    if (typeof code === 'string') {
      if (NETWORK_CODES.has(code) || PG_INFRA_CODES.has(code)) return true;
      if (/^08[0-9A-Z]{3}$/.test(code)) return true;
    }
    return typeof message === 'string' && INFRA_MESSAGES.some((pattern) => pattern.test(message));
  });
}

/** Whether the handler declared the failure permanent: no point retrying in place. */
export function isPermanentError(error: unknown): boolean {
  return someInChain(error, (candidate) => candidate instanceof PermanentError);
}

function someInChain(error: unknown, test: (candidate: object) => boolean): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const candidate = queue.shift();
    if (candidate === null || typeof candidate !== 'object' || seen.has(candidate)) continue;
    seen.add(candidate);
    if (test(candidate)) return true;
    const { driverError, cause, errors } = candidate as {
      driverError?: unknown;
      cause?: unknown;
      errors?: unknown;
    };
    queue.push(driverError, cause);
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
  }
  return false;
}
